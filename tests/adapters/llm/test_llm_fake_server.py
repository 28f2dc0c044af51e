"""The fake vendor server itself: faithful enough that the real SDKs stream from it and read its errors."""

from __future__ import annotations

import anthropic
import httpx
import openai
import pytest

from tests.fakes.llm_server import ErrorReply, FakeLLMServer, TextReply


def test_openai_sdk_streams_chunks_and_usage(llm_server: FakeLLMServer) -> None:
    """stream=True yields SSE chunks that add up to the text, then usage, then [DONE]."""
    llm_server.enqueue(TextReply("fast and correct", prompt_tokens=8, completion_tokens=3))
    client = openai.OpenAI(api_key="k", base_url=llm_server.openai_base_url, max_retries=0)

    stream = client.chat.completions.create(
        model="gpt-test",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)

    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "fast and correct"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    usage = chunks[-1].usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens) == (8, 3)


def test_anthropic_sdk_streams_events_into_a_message(llm_server: FakeLLMServer) -> None:
    """Streaming events (message_start ... message_stop) assemble into the full message."""
    llm_server.enqueue(TextReply("fast and correct", prompt_tokens=8, completion_tokens=3, finish="length"))
    client = anthropic.Anthropic(api_key="k", base_url=llm_server.anthropic_base_url, max_retries=0)

    with client.messages.stream(
        model="claude-test", max_tokens=3, messages=[{"role": "user", "content": "hi"}]
    ) as stream:
        message = stream.get_final_message()

    assert "".join(b.text for b in message.content if b.type == "text") == "fast and correct"
    assert message.stop_reason == "max_tokens"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (8, 3)


def test_errors_carry_vendor_shaped_bodies(llm_server: FakeLLMServer) -> None:
    """Error replies use each vendor's JSON error shape and the retry-after headers."""
    llm_server.enqueue(
        ErrorReply(429, "slow down", retry_after="2"), ErrorReply(429, "slow down", retry_after_ms="5")
    )

    openai_reply = httpx.post(f"{llm_server.openai_base_url}/chat/completions", json={"model": "m"})
    anthropic_reply = httpx.post(f"{llm_server.anthropic_base_url}/v1/messages", json={"model": "m"})

    assert openai_reply.status_code == 429
    assert openai_reply.headers["retry-after"] == "2"
    assert openai_reply.json()["error"]["message"] == "slow down"
    assert anthropic_reply.headers["retry-after-ms"] == "5"
    assert anthropic_reply.json() == {
        "type": "error",
        "error": {"type": "rate_limit_error", "message": "slow down"},
    }


def test_records_requests_and_serves_a_responder_after_the_queue(llm_server: FakeLLMServer) -> None:
    """Requests are recorded in order; once the queue is empty the responder answers."""
    llm_server.responder = lambda request: TextReply(f"model was {request.body['model']}")
    client = openai.OpenAI(api_key="k", base_url=llm_server.openai_base_url, max_retries=0)

    reply = client.chat.completions.create(model="gpt-x", messages=[{"role": "user", "content": "hi"}])

    assert reply.choices[0].message.content == "model was gpt-x"
    assert [r.vendor for r in llm_server.requests] == ["openai"]


def test_unknown_route_is_404(llm_server: FakeLLMServer) -> None:
    """Paths other than the two APIs are not found."""
    with pytest.raises(openai.NotFoundError):
        openai.OpenAI(api_key="k", base_url=llm_server.url, max_retries=0).embeddings.create(
            model="m", input="x"
        )
