"""OpenAIChatProvider through the real openai SDK against the fake server: what is sent and read back."""

from __future__ import annotations

from optiagent.adapters.llm.openai_chat import OpenAIChatProvider
from optiagent.ports.llm import CompletionRequest, FinishReason, Message, Usage
from tests.fakes.llm_server import FakeLLMServer, TextReply

REQUEST = CompletionRequest(
    messages=(Message("system", "You optimize Python."), Message("user", "Make it fast.")),
    model="gpt-test",
    max_tokens=256,
    temperature=0.2,
    stop=("```",),
)


def test_returns_text_usage_model_and_finish_reason(
    llm_server: FakeLLMServer, openai_provider: OpenAIChatProvider
) -> None:
    """A 200 reply becomes a Completion with the vendor's usage, model and finish reason."""
    llm_server.enqueue(
        TextReply("def f(): ...", prompt_tokens=31, completion_tokens=7, model="gpt-test-0613")
    )

    completion = openai_provider.complete(REQUEST)

    assert completion.text == "def f(): ..."
    assert completion.usage == Usage(prompt_tokens=31, completion_tokens=7)
    assert completion.model == "gpt-test-0613"
    assert completion.finish_reason is FinishReason.STOP
    assert not completion.cached


def test_sends_model_messages_with_system_role_and_options(
    llm_server: FakeLLMServer, openai_provider: OpenAIChatProvider
) -> None:
    """The system prompt stays a system message; model, limits, temperature, stop and the key are sent."""
    openai_provider.complete(REQUEST)

    (sent,) = llm_server.requests
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-test"
    assert sent.body["model"] == "gpt-test"
    assert sent.body["messages"] == [
        {"role": "system", "content": "You optimize Python."},
        {"role": "user", "content": "Make it fast."},
    ]
    assert sent.body["max_completion_tokens"] == 256
    assert sent.body["temperature"] == 0.2
    assert sent.body["stop"] == ["```"]
    assert "stream" not in sent.body


def test_omits_temperature_and_stop_when_unset(
    llm_server: FakeLLMServer, openai_provider: OpenAIChatProvider
) -> None:
    """Unset options are left out, so models that reject them (reasoning models) still work."""
    openai_provider.complete(CompletionRequest(messages=(Message("user", "hi"),), model="o-test"))

    body = llm_server.requests[0].body
    assert "temperature" not in body
    assert "stop" not in body


def test_truncated_reply_reports_length(
    llm_server: FakeLLMServer, openai_provider: OpenAIChatProvider
) -> None:
    """finish_reason "length" maps to FinishReason.LENGTH."""
    llm_server.enqueue(TextReply("def f(", finish="length"))

    assert openai_provider.complete(REQUEST).finish_reason is FinishReason.LENGTH


def test_compatible_server_gets_max_tokens(llm_server: FakeLLMServer) -> None:
    """With max_tokens_field="max_tokens" the older field name is sent (Ollama, llama.cpp)."""
    provider = OpenAIChatProvider(
        api_key="x", default_model="m", base_url=llm_server.openai_base_url, max_tokens_field="max_tokens"
    )

    provider.complete(REQUEST)

    body = llm_server.requests[0].body
    assert body["max_tokens"] == 256
    assert "max_completion_tokens" not in body


def test_refusal_reports_content_filter(
    llm_server: FakeLLMServer, openai_provider: OpenAIChatProvider
) -> None:
    """A refusal message (no content) is an empty text with FinishReason.CONTENT_FILTER."""
    llm_server.enqueue(TextReply("", refusal="I can't help with that."))

    completion = openai_provider.complete(REQUEST)

    assert (completion.text, completion.finish_reason) == ("", FinishReason.CONTENT_FILTER)


def test_missing_usage_counts_as_zero_tokens(
    llm_server: FakeLLMServer, openai_provider: OpenAIChatProvider
) -> None:
    """A compatible server that reports no usage yields Usage(0, 0) rather than an error."""
    llm_server.enqueue(TextReply("ok", usage=False))

    assert openai_provider.complete(REQUEST).usage == Usage(0, 0)
