"""AnthropicMessagesProvider through the real anthropic SDK against the fake server."""

from __future__ import annotations

from optiagent.adapters.llm.anthropic_messages import AnthropicMessagesProvider
from optiagent.ports.llm import CompletionRequest, FinishReason, Message, Usage
from tests.fakes.llm_server import FakeLLMServer, TextReply

REQUEST = CompletionRequest(
    messages=(
        Message("system", "You optimize Python."),
        Message("system", "Answer with code only."),
        Message("user", "Make it fast."),
        Message("assistant", "def f():"),
        Message("user", "Go on."),
    ),
    model="claude-test",
    max_tokens=300,
    temperature=0.0,
    stop=("</code>",),
)


def test_returns_text_usage_model_and_finish_reason(
    llm_server: FakeLLMServer, anthropic_provider: AnthropicMessagesProvider
) -> None:
    """A 200 reply becomes a Completion with input/output tokens as prompt/completion usage."""
    llm_server.enqueue(
        TextReply("return 1", prompt_tokens=40, completion_tokens=3, model="claude-test-20250101")
    )

    completion = anthropic_provider.complete(REQUEST)

    assert completion.text == "return 1"
    assert completion.usage == Usage(prompt_tokens=40, completion_tokens=3)
    assert completion.model == "claude-test-20250101"
    assert completion.finish_reason is FinishReason.STOP


def test_system_messages_travel_in_the_system_field(
    llm_server: FakeLLMServer, anthropic_provider: AnthropicMessagesProvider
) -> None:
    """System messages are joined into `system`; only user/assistant turns go in `messages`."""
    anthropic_provider.complete(REQUEST)

    (sent,) = llm_server.requests
    assert sent.path == "/v1/messages"
    assert sent.body["system"] == "You optimize Python.\n\nAnswer with code only."
    assert sent.body["messages"] == [
        {"role": "user", "content": "Make it fast."},
        {"role": "assistant", "content": "def f():"},
        {"role": "user", "content": "Go on."},
    ]


def test_sends_model_limits_options_key_and_version(
    llm_server: FakeLLMServer, anthropic_provider: AnthropicMessagesProvider
) -> None:
    """Model, max_tokens, temperature, stop_sequences, the API key and anthropic-version are sent."""
    anthropic_provider.complete(REQUEST)

    sent = llm_server.requests[0]
    assert sent.body["model"] == "claude-test"
    assert sent.body["max_tokens"] == 300
    assert sent.body["temperature"] == 0.0
    assert sent.body["stop_sequences"] == ["</code>"]
    assert "ak-test" in (sent.headers.get("x-api-key", "") + sent.headers.get("authorization", ""))
    assert sent.headers["anthropic-version"]


def test_no_system_field_without_system_messages(
    llm_server: FakeLLMServer, anthropic_provider: AnthropicMessagesProvider
) -> None:
    """A request without system messages sends no `system` and no unset options."""
    anthropic_provider.complete(CompletionRequest(messages=(Message("user", "hi"),), model="claude-test"))

    body = llm_server.requests[0].body
    assert "system" not in body
    assert "temperature" not in body
    assert "stop_sequences" not in body


def test_max_tokens_stop_reason_reports_length(
    llm_server: FakeLLMServer, anthropic_provider: AnthropicMessagesProvider
) -> None:
    """stop_reason "max_tokens" maps to FinishReason.LENGTH."""
    llm_server.enqueue(TextReply("def f(", finish="length"))

    assert anthropic_provider.complete(REQUEST).finish_reason is FinishReason.LENGTH
