"""build_provider: configuration values in, a working provider (or a ConfigError) out."""

from __future__ import annotations

import pytest

from optiagent.adapters.llm.anthropic_messages import AnthropicMessagesProvider
from optiagent.adapters.llm.factory import UNUSED_API_KEY, build_provider
from optiagent.adapters.llm.openai_chat import OpenAIChatProvider
from optiagent.adapters.llm.retry import RetryPolicy
from optiagent.domain.errors import ConfigError
from optiagent.ports.llm import CompletionRequest, Message, ProviderUnavailableError
from tests.fakes.llm_server import ErrorReply, FakeLLMServer

HELLO = (Message("user", "hello"),)


def test_openai_compatible_without_a_key_works(llm_server: FakeLLMServer) -> None:
    """An OpenAI-compatible server (Ollama, vLLM...) is reached with a placeholder key and max_tokens."""
    provider = build_provider("openai-compatible", "llama3", llm_server.openai_base_url, None, 2.0, 0)

    completion = provider.complete(
        CompletionRequest(messages=HELLO, model=provider.default_model, max_tokens=9)
    )

    assert completion.text == "echo: hello"
    (sent,) = llm_server.requests
    assert sent.headers["authorization"] == f"Bearer {UNUSED_API_KEY}"
    assert sent.body["model"] == "llama3"
    assert sent.body["max_tokens"] == 9
    assert provider.name == "openai-compatible"


@pytest.mark.parametrize(
    ("kind", "base_url_of", "provider_type"),
    [
        ("openai", lambda s: s.openai_base_url, OpenAIChatProvider),
        ("anthropic", lambda s: s.anthropic_base_url, AnthropicMessagesProvider),
    ],
)
def test_vendor_providers_are_built_and_reach_the_base_url(
    llm_server: FakeLLMServer, kind: str, base_url_of: object, provider_type: type
) -> None:
    """ "openai" and "anthropic" build their SDK provider, pointed at the given base_url."""
    assert callable(base_url_of)
    provider = build_provider(kind, "m-1", base_url_of(llm_server), "key-1", 2.0, 1)

    assert isinstance(provider, provider_type)
    assert provider.complete(CompletionRequest(messages=HELLO, model="m-1")).text == "echo: hello"
    assert provider.default_model == "m-1"


def test_max_retries_bounds_the_attempts(llm_server: FakeLLMServer) -> None:
    """max_retries=2 means three attempts in all, whatever the backoff policy passed says."""
    llm_server.enqueue(*[ErrorReply(503)] * 5)
    fast = RetryPolicy(max_attempts=99, base_delay_s=0.001)
    provider = build_provider("openai", "m", llm_server.openai_base_url, "k", 2.0, 2, retry=fast)

    with pytest.raises(ProviderUnavailableError):
        provider.complete(CompletionRequest(messages=HELLO, model="m"))

    assert len(llm_server.requests) == 3


@pytest.mark.parametrize(
    ("kind", "model", "base_url", "api_key", "message"),
    [
        ("openai", "gpt", None, None, "needs an API key"),
        ("anthropic", "claude", None, "", "needs an API key"),
        ("openai-compatible", "llama", None, None, "needs a base_url"),
        ("cohere", "x", None, "k", "unknown LLM provider"),
        ("openai", "", None, "k", "model name is required"),
    ],
)
def test_incomplete_configuration_is_a_config_error(
    kind: str, model: str, base_url: str | None, api_key: str | None, message: str
) -> None:
    """Missing key, base_url or model, or an unknown provider, fail fast with a readable ConfigError."""
    with pytest.raises(ConfigError, match=message):
        build_provider(kind, model, base_url, api_key, 10.0, 2)
