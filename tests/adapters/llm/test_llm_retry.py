"""The retry policy and retry-after parsing, without any network."""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable

import pytest

from optiagent.adapters.llm.errors import error_for_status, parse_retry_after
from optiagent.adapters.llm.retry import RetryPolicy, call_with_retry
from optiagent.ports.llm import ProviderRejectedError, ProviderUnavailableError, RateLimitedError

POLICY = RetryPolicy(max_attempts=5, base_delay_s=1.0, max_delay_s=4.0, max_retry_after_s=10.0)


def failing(*errors: Exception) -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "done"

    return calls, call


def test_backoff_is_exponential_jittered_and_capped() -> None:
    """Delay before retry n is uniform in [0, min(max, base * 2**(n-1))]."""
    rng = random.Random(7)
    outage = ProviderUnavailableError("down")

    ceilings = [1.0, 2.0, 4.0, 4.0, 4.0]
    for retry, ceiling in enumerate(ceilings, start=1):
        delays = [POLICY.delay_before(retry, outage, rng) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8


def test_retry_after_hint_is_used_and_capped() -> None:
    """A rate limit waits its hint, never longer than max_retry_after_s."""
    rng = random.Random(0)

    assert POLICY.delay_before(1, RateLimitedError("429", retry_after=2.5), rng) == 2.5
    assert POLICY.delay_before(1, RateLimitedError("429", retry_after=600), rng) == 10.0


def test_outages_are_retried_until_success() -> None:
    """Two outages then success: three calls, two sleeps."""
    sleeps: list[float] = []
    calls, call = failing(ProviderUnavailableError("a"), RateLimitedError("b", retry_after=0.5))

    assert call_with_retry(call, POLICY, sleep=sleeps.append) == "done"
    assert len(calls) == 3
    assert len(sleeps) == 2
    assert sleeps[1] == 0.5


def test_rejections_are_not_retried() -> None:
    """ProviderRejectedError propagates on the first call."""
    calls, call = failing(ProviderRejectedError("bad key", 401))

    with pytest.raises(ProviderRejectedError):
        call_with_retry(call, POLICY, sleep=lambda s: None)
    assert len(calls) == 1


def test_attempts_are_bounded() -> None:
    """After max_attempts outages the last one is raised."""
    calls, call = failing(*[ProviderUnavailableError(str(i)) for i in range(10)])

    with pytest.raises(ProviderUnavailableError, match="4"):
        call_with_retry(call, POLICY, sleep=lambda s: None)
    assert len(calls) == 5


def test_zero_attempts_is_refused() -> None:
    """A policy must allow at least one attempt."""
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(max_attempts=0)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "soon"}, None),
        ({"retry-after-ms": "x", "retry-after": "2"}, 2.0),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    """retry-after-ms wins, seconds parse as floats, garbage is ignored."""
    assert parse_retry_after(headers) == expected


def test_parse_retry_after_http_date() -> None:
    """An HTTP-date retry-after becomes the seconds from now until then."""
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + 30, usegmt=True)

    assert parse_retry_after({"retry-after": header}, now=now) == pytest.approx(30.0)


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (429, RateLimitedError),
        (500, ProviderUnavailableError),
        (529, ProviderUnavailableError),
        (408, ProviderUnavailableError),
        (400, ProviderRejectedError),
        (401, ProviderRejectedError),
        (404, ProviderRejectedError),
    ],
)
def test_status_codes_map_to_our_errors(status: int, error_type: type[Exception]) -> None:
    """429 is a rate limit, 5xx/408 an outage, other 4xx a rejection."""
    error = error_for_status("p", status, "msg", {})

    assert type(error) is error_type
