"""Our retry policy for provider calls (the SDKs' own retries are switched off).

Retries rate limits (honouring the provider's retry-after hint, capped) and outages (5xx, connection
errors, timeouts) with exponential backoff and full jitter, for a bounded number of attempts.
`ProviderRejectedError` and every other exception propagate at once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from optiagent.ports.llm import ProviderUnavailableError, RateLimitedError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4  # first call included
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    max_retry_after_s: float = 30.0  # a longer hint is cut down to this

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def delay_before(self, retry: int, error: ProviderUnavailableError, rng: random.Random) -> float:
        """Seconds to wait before retry number `retry` (1-based) after `error`."""
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            return min(max(error.retry_after, 0.0), self.max_retry_after_s)
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** (retry - 1))
        return rng.uniform(0.0, ceiling)


def call_with_retry(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> T:
    """Run `call`, retrying outages per `policy`; re-raise the last outage when attempts run out."""
    rng = rng or random.Random()
    attempt = 1
    while True:
        try:
            return call()
        except ProviderUnavailableError as error:
            if attempt >= policy.max_attempts:
                raise
            sleep(policy.delay_before(attempt, error, rng))
            attempt += 1
