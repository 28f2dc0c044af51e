"""Vendor-neutral pieces of error translation: HTTP status -> our error, retry-after headers -> seconds.

Each adapter keeps its own one-function translation of its SDK's exceptions and calls these.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping

from optiagent.ports.llm import LLMError, ProviderRejectedError, ProviderUnavailableError, RateLimitedError

# Statuses worth retrying besides 5xx: request timeout, conflict (lock timeouts at OpenAI).
_TRANSIENT_4XX = frozenset({408, 409})


def error_for_status(provider: str, status: int, message: str, headers: Mapping[str, str]) -> LLMError:
    """The error for an HTTP error reply of `provider`."""
    text = f"{provider}: HTTP {status}: {message}"
    if status == 429:
        return RateLimitedError(text, retry_after=parse_retry_after(headers))
    if status >= 500 or status in _TRANSIENT_4XX:
        return ProviderUnavailableError(text)
    return ProviderRejectedError(text, status_code=status)


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks us to wait: `retry-after-ms`, else `retry-after` (seconds or HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)
