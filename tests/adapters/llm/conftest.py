"""Fixtures: a fake vendor server per test and the real SDK providers pointed at it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from optiagent.adapters.llm.anthropic_messages import AnthropicMessagesProvider
from optiagent.adapters.llm.openai_chat import OpenAIChatProvider
from tests.adapters.llm.sdk_providers import SdkProvider, build_sdk_provider
from tests.fakes.llm_server import FakeLLMServer


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
    provider = build_sdk_provider("openai", llm_server.url, sleep=recording_sleep)
    assert isinstance(provider, OpenAIChatProvider)
    yield provider
    provider.close()


@pytest.fixture
def anthropic_provider(
    llm_server: FakeLLMServer, recording_sleep: Callable[[float], None]
) -> Iterator[AnthropicMessagesProvider]:
    provider = build_sdk_provider("anthropic", llm_server.url, sleep=recording_sleep)
    assert isinstance(provider, AnthropicMessagesProvider)
    yield provider
    provider.close()


@pytest.fixture(params=["openai", "anthropic"])
def sdk_provider(request: pytest.FixtureRequest) -> SdkProvider:
    """Each real SDK provider, pointed at the fake server."""
    provider: SdkProvider = request.getfixturevalue(f"{request.param}_provider")
    return provider
