"""Fixtures: a fake vendor server per test and providers pointed at it with tiny backoff values."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import pytest

from optiagent.adapters.llm.anthropic_messages import AnthropicMessagesProvider
from optiagent.adapters.llm.openai_chat import OpenAIChatProvider
from optiagent.adapters.llm.retry import RetryPolicy
from tests.fakes.llm_server import FakeLLMServer

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay_s=0.001, max_delay_s=0.005, max_retry_after_s=0.2)


@pytest.fixture
def llm_server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as server:
        yield server


@pytest.fixture
def sleeps() -> list[float]:
    """Delays the providers waited between attempts (they still really sleep)."""
    return []


@pytest.fixture
def recording_sleep(sleeps: list[float]) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(seconds)

    return sleep


@pytest.fixture
def openai_provider(
    llm_server: FakeLLMServer, recording_sleep: Callable[[float], None]
) -> Iterator[OpenAIChatProvider]:
    provider = OpenAIChatProvider(
        api_key="sk-test",
        default_model="gpt-test",
        base_url=llm_server.openai_base_url,
        timeout_s=2.0,
        retry=FAST_RETRY,
        sleep=recording_sleep,
    )
    yield provider
    provider.close()


@pytest.fixture
def anthropic_provider(
    llm_server: FakeLLMServer, recording_sleep: Callable[[float], None]
) -> Iterator[AnthropicMessagesProvider]:
    provider = AnthropicMessagesProvider(
        api_key="ak-test",
        default_model="claude-test",
        base_url=llm_server.anthropic_base_url,
        timeout_s=2.0,
        retry=FAST_RETRY,
        sleep=recording_sleep,
    )
    yield provider
    provider.close()


@pytest.fixture(params=["openai", "anthropic"])
def sdk_provider(request: pytest.FixtureRequest) -> OpenAIChatProvider | AnthropicMessagesProvider:
    """Each real SDK provider, pointed at the fake server."""
    provider: OpenAIChatProvider | AnthropicMessagesProvider = request.getfixturevalue(
        f"{request.param}_provider"
    )
    return provider


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
