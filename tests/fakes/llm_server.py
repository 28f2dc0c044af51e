"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat and Anthropic messages wire protocols.

Tests point the official SDKs at it (`openai_base_url`, `anthropic_base_url`) and script what it
answers: text replies, vendor-shaped errors (429 with retry-after, 5xx), slow replies (timeouts),
dropped connections and malformed JSON. Every request is recorded so tests can assert what the SDK
sent (path, headers, JSON body).

    with FakeLLMServer() as server:
        server.enqueue(TextReply("hello"), ErrorReply(429, retry_after="0.01"))
        ...
        assert server.requests[0].body["model"] == "gpt-test"
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal

Vendor = Literal["openai", "anthropic"]
Finish = Literal["stop", "length", "filter"]


@dataclass(frozen=True)
class TextReply:
    """A successful completion. `model=None` echoes the requested model.

    `refusal` (OpenAI only) sends a refusal message instead of content; `usage=False` omits usage,
    as some OpenAI-compatible servers do.
    """

    text: str
    prompt_tokens: int = 10
    completion_tokens: int = 5
    finish: Finish = "stop"
    model: str | None = None
    refusal: str | None = None
    usage: bool = True


@dataclass(frozen=True)
class ErrorReply:
    """An HTTP error with the vendor's error body; `retry_after`/`retry_after_ms` become headers."""

    status: int
    message: str = "scripted error"
    retry_after: str | None = None
    retry_after_ms: str | None = None


@dataclass(frozen=True)
class SlowReply:
    """Waits `delay_s` (cut short when the server stops), then sends `then`."""

    delay_s: float
    then: Reply = field(default_factory=lambda: TextReply("late"))


@dataclass(frozen=True)
class DropConnection:
    """Closes the socket without sending a response."""


@dataclass(frozen=True)
class MalformedReply:
    """A 200 response whose JSON body is cut off."""


Reply = TextReply | ErrorReply | SlowReply | DropConnection | MalformedReply


@dataclass(frozen=True)
class RecordedRequest:
    vendor: Vendor
    path: str
    headers: dict[str, str]  # lower-cased names
    body: dict[str, Any]


Responder = Callable[[RecordedRequest], Reply]


def echo_last_user_message(request: RecordedRequest) -> Reply:
    """The default responder: answers "echo: <last user message>"."""
    user_turns = [m for m in request.body.get("messages", []) if m.get("role") == "user"]
    content = user_turns[-1]["content"] if user_turns else ""
    if isinstance(content, list):  # Anthropic content blocks
        content = "".join(block.get("text", "") for block in content)
    return TextReply(f"echo: {content}")


_ERROR_TYPES = {
    400: ("invalid_request_error", "invalid_request_error"),
    401: ("invalid_request_error", "authentication_error"),
    403: ("invalid_request_error", "permission_error"),
    404: ("invalid_request_error", "not_found_error"),
    429: ("rate_limit_exceeded", "rate_limit_error"),
    529: ("server_error", "overloaded_error"),
}
_OPENAI_FINISH = {"stop": "stop", "length": "length", "filter": "content_filter"}
_ANTHROPIC_STOP = {"stop": "end_turn", "length": "max_tokens", "filter": "refusal"}


class FakeLLMServer:
    """Serves scripted replies from a queue, then from `responder`, on a free port of 127.0.0.1."""

    def __init__(self, responder: Responder = echo_last_user_message) -> None:
        self.responder = responder
        self._queue: collections.deque[Reply] = collections.deque()
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), name="fake-llm", daemon=True
        )

    # lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # addresses ---------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.url

    # scripting and inspection ------------------------------------------------------------------------
    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
            if self._queue:
                return self._queue.popleft()
        return self.responder(request)

    def _wait(self, delay_s: float) -> None:
        self._stopping.wait(delay_s)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"


def _handler_for(server: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

        def do_POST(self) -> None:
            vendor: Vendor
            if self.path.rstrip("/").endswith("/chat/completions"):
                vendor = "openai"
            elif self.path.rstrip("/").endswith("/messages"):
                vendor = "anthropic"
            else:
                self._send_json(404, {"error": {"message": f"no route {self.path}"}})
                return
            length = int(self.headers.get("content-length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            headers = {name.lower(): value for name, value in self.headers.items()}
            request = RecordedRequest(vendor, self.path, headers, body)
            # A client that gave up (timeout) has closed its socket: nothing to do.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._answer(request, server._next_reply(request))

        def _answer(self, request: RecordedRequest, reply: Reply) -> None:
            match reply:
                case SlowReply(delay_s=delay, then=then):
                    server._wait(delay)
                    self._answer(request, then)
                case DropConnection():
                    self.close_connection = True
                case MalformedReply():
                    self._send_raw(200, b'{"id": "broken", "choices": [', "application/json")
                case ErrorReply():
                    self._send_error(request.vendor, reply)
                case TextReply() if request.body.get("stream"):
                    self._send_stream(request, reply)
                case TextReply():
                    render = _openai_body if request.vendor == "openai" else _anthropic_body
                    self._send_json(200, render(request, reply, server._new_id))

        def _send_error(self, vendor: Vendor, reply: ErrorReply) -> None:
            openai_type, anthropic_type = _ERROR_TYPES.get(
                reply.status,
                ("server_error", "api_error") if reply.status >= 500 else ("invalid_request_error",) * 2,
            )
            if vendor == "openai":
                body: dict[str, Any] = {
                    "error": {"message": reply.message, "type": openai_type, "param": None, "code": None}
                }
            else:
                body = {"type": "error", "error": {"type": anthropic_type, "message": reply.message}}
            extra = {}
            if reply.retry_after is not None:
                extra["retry-after"] = reply.retry_after
            if reply.retry_after_ms is not None:
                extra["retry-after-ms"] = reply.retry_after_ms
            self._send_json(reply.status, body, extra)

        def _send_stream(self, request: RecordedRequest, reply: TextReply) -> None:
            render = _openai_events if request.vendor == "openai" else _anthropic_events
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-cache")
            self.send_header("connection", "close")
            self.end_headers()
            for event in render(request, reply, server._new_id):
                self.wfile.write(event.encode("utf-8"))
                self.wfile.flush()
            self.close_connection = True

        def _send_json(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
            self._send_raw(status, json.dumps(body).encode("utf-8"), "application/json", headers)

        def _send_raw(
            self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

    return Handler


# wire formats ----------------------------------------------------------------------------------------
def _openai_body(request: RecordedRequest, reply: TextReply, new_id: Callable[[str], str]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text}
    if reply.refusal is not None:
        message.update(content=None, refusal=reply.refusal)
    body: dict[str, Any] = {
        "id": new_id("chatcmpl-"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.model or request.body.get("model", ""),
        "choices": [
            {"index": 0, "message": message, "finish_reason": _OPENAI_FINISH[reply.finish], "logprobs": None}
        ],
    }
    if reply.usage:
        body["usage"] = {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        }
    return body


def _anthropic_body(
    request: RecordedRequest, reply: TextReply, new_id: Callable[[str], str]
) -> dict[str, Any]:
    return {
        "id": new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": reply.model or request.body.get("model", ""),
        "content": [{"type": "text", "text": reply.text}],
        "stop_reason": _ANTHROPIC_STOP[reply.finish],
        "stop_sequence": None,
        "usage": {"input_tokens": reply.prompt_tokens, "output_tokens": reply.completion_tokens},
    }


def _words(text: str) -> list[str]:
    """Splits `text` into stream deltas that concatenate back to it."""
    pieces = text.split(" ")
    return [piece if i == len(pieces) - 1 else piece + " " for i, piece in enumerate(pieces)]


def _sse(data: object, event: str | None = None) -> str:
    prefix = f"event: {event}\n" if event else ""
    return f"{prefix}data: {json.dumps(data)}\n\n"


def _openai_events(request: RecordedRequest, reply: TextReply, new_id: Callable[[str], str]) -> Iterator[str]:
    base = {
        "id": new_id("chatcmpl-"),
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": reply.model or request.body.get("model", ""),
    }

    def chunk(delta: dict[str, str], finish: str | None) -> str:
        return _sse({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})

    yield chunk({"role": "assistant", "content": ""}, None)
    for piece in _words(reply.text):
        yield chunk({"content": piece}, None)
    yield chunk({}, _OPENAI_FINISH[reply.finish])
    if (request.body.get("stream_options") or {}).get("include_usage"):
        usage = {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        }
        yield _sse({**base, "choices": [], "usage": usage})
    yield "data: [DONE]\n\n"


def _anthropic_events(
    request: RecordedRequest, reply: TextReply, new_id: Callable[[str], str]
) -> Iterator[str]:
    start = _anthropic_body(request, TextReply("", reply.prompt_tokens, 0, reply.finish, reply.model), new_id)
    start.update(content=[], stop_reason=None)
    yield _sse({"type": "message_start", "message": start}, "message_start")
    block_start = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    yield _sse(block_start, "content_block_start")
    for piece in _words(reply.text):
        delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
        yield _sse(delta, "content_block_delta")
    yield _sse({"type": "content_block_stop", "index": 0}, "content_block_stop")
    message_delta = {
        "type": "message_delta",
        "delta": {"stop_reason": _ANTHROPIC_STOP[reply.finish], "stop_sequence": None},
        "usage": {"output_tokens": reply.completion_tokens},
    }
    yield _sse(message_delta, "message_delta")
    yield _sse({"type": "message_stop"}, "message_stop")
