"""Both SDK providers against the fake server's faults: our retry policy and error translation."""

from __future__ import annotations

import time

import pytest

from optiagent.adapters.llm.retry import RetryPolicy
from optiagent.ports.llm import (
    CompletionRequest,
    Message,
    ProviderRejectedError,
    ProviderUnavailableError,
    RateLimitedError,
)
from tests.adapters.llm.sdk_providers import FAST_RETRY, SdkProvider, build_sdk_provider, free_port, vendor_of
from tests.fakes.llm_server import (
    DropConnection,
    ErrorReply,
    FakeLLMServer,
    MalformedReply,
    SlowReply,
    TextReply,
)

REQUEST = CompletionRequest(messages=(Message("user", "hi"),), model="m-test")


def test_429_then_success_waits_the_retry_after_seconds(
    llm_server: FakeLLMServer, sdk_provider: SdkProvider, sleeps: list[float]
) -> None:
    """A 429 with retry-after is retried after exactly the hinted delay, then succeeds."""
    llm_server.enqueue(ErrorReply(429, retry_after="0.05"), TextReply("ok"))

    completion = sdk_provider.complete(REQUEST)

    assert completion.text == "ok"
    assert sleeps == [0.05]
    assert len(llm_server.requests) == 2


def test_retry_after_ms_wins_and_long_hints_are_capped(
    llm_server: FakeLLMServer, sdk_provider: SdkProvider, sleeps: list[float]
) -> None:
    """retry-after-ms is preferred over retry-after; a hint beyond the cap waits only the cap."""
    llm_server.enqueue(
        ErrorReply(429, retry_after="9", retry_after_ms="20"),
        ErrorReply(429, retry_after="3600"),
        TextReply("ok"),
    )

    sdk_provider.complete(REQUEST)

    assert sleeps == [0.02, FAST_RETRY.max_retry_after_s]


def test_rate_limit_that_persists_raises_rate_limited_with_the_hint(
    llm_server: FakeLLMServer, sdk_provider: SdkProvider
) -> None:
    """After the bounded attempts a 429 surfaces as RateLimitedError carrying retry_after."""
    llm_server.enqueue(*[ErrorReply(429, retry_after="0.001")] * FAST_RETRY.max_attempts)

    with pytest.raises(RateLimitedError) as caught:
        sdk_provider.complete(REQUEST)

    assert caught.value.retry_after == pytest.approx(0.001)
    assert len(llm_server.requests) == FAST_RETRY.max_attempts


@pytest.mark.parametrize("status", [500, 503, 529])
def test_5xx_is_retried_then_unavailable_after_bounded_attempts(
    llm_server: FakeLLMServer, sdk_provider: SdkProvider, sleeps: list[float], status: int
) -> None:
    """Server errors are retried with capped backoff, then raise ProviderUnavailableError."""
    llm_server.enqueue(*[ErrorReply(status)] * 10)

    with pytest.raises(ProviderUnavailableError, match=str(status)):
        sdk_provider.complete(REQUEST)

    assert len(llm_server.requests) == FAST_RETRY.max_attempts
    assert len(sleeps) == FAST_RETRY.max_attempts - 1
    assert all(0 <= s <= FAST_RETRY.max_delay_s for s in sleeps)


def test_5xx_then_success_recovers(llm_server: FakeLLMServer, sdk_provider: SdkProvider) -> None:
    """A transient 503 followed by a good reply yields the reply."""
    llm_server.enqueue(ErrorReply(503), TextReply("recovered"))

    assert sdk_provider.complete(REQUEST).text == "recovered"


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_rejected_without_retry(
    llm_server: FakeLLMServer, sdk_provider: SdkProvider, status: int
) -> None:
    """Bad key, unknown model or invalid request: ProviderRejectedError at once, one request only."""
    llm_server.enqueue(ErrorReply(status, message="model not found"))

    with pytest.raises(ProviderRejectedError, match="model not found") as caught:
        sdk_provider.complete(REQUEST)

    assert caught.value.status_code == status
    assert len(llm_server.requests) == 1


def test_connection_refused_is_unavailable(sdk_provider: SdkProvider) -> None:
    """Nothing listening on the port: ProviderUnavailableError after the bounded attempts."""
    provider = build_sdk_provider(vendor_of(sdk_provider), f"http://127.0.0.1:{free_port()}")

    with pytest.raises(ProviderUnavailableError, match="cannot connect"):
        provider.complete(REQUEST)


def test_slow_reply_times_out_as_unavailable(llm_server: FakeLLMServer, sdk_provider: SdkProvider) -> None:
    """A reply slower than timeout_s raises ProviderUnavailableError, promptly."""
    provider = build_sdk_provider(vendor_of(sdk_provider), llm_server.url, timeout_s=0.1)
    llm_server.enqueue(*[SlowReply(5.0)] * FAST_RETRY.max_attempts)

    started = time.monotonic()
    with pytest.raises(ProviderUnavailableError, match="timed out"):
        provider.complete(REQUEST)

    assert time.monotonic() - started < 2.0
    assert len(llm_server.requests) == FAST_RETRY.max_attempts


def test_dropped_connection_is_retried(llm_server: FakeLLMServer, sdk_provider: SdkProvider) -> None:
    """A connection closed without a response is an outage worth retrying."""
    llm_server.enqueue(DropConnection(), TextReply("second time lucky"))

    assert sdk_provider.complete(REQUEST).text == "second time lucky"


def test_malformed_json_is_unavailable(llm_server: FakeLLMServer, sdk_provider: SdkProvider) -> None:
    """A 200 with a cut-off JSON body raises ProviderUnavailableError, not a JSONDecodeError."""
    llm_server.enqueue(*[MalformedReply()] * FAST_RETRY.max_attempts)

    with pytest.raises(ProviderUnavailableError, match="malformed reply"):
        sdk_provider.complete(REQUEST)


def test_single_attempt_policy_does_not_retry(llm_server: FakeLLMServer, sdk_provider: SdkProvider) -> None:
    """With max_attempts=1 the first outage is final."""
    provider = build_sdk_provider(vendor_of(sdk_provider), llm_server.url, retry=RetryPolicy(max_attempts=1))
    llm_server.enqueue(ErrorReply(503), TextReply("never reached"))

    with pytest.raises(ProviderUnavailableError):
        provider.complete(REQUEST)

    assert len(llm_server.requests) == 1
