"""The LLMProvider port: one prompt in, one completion out, with token usage.

Implementations live in `optiagent.adapters.llm` (OpenAI chat, Anthropic messages, OpenAI-compatible
servers, Scripted). Outages are exceptions (`ProviderUnavailableError`, `RateLimitedError`); a request the
provider refuses (bad key, unknown model) is `ProviderRejectedError`; a spent run budget is
`BudgetExhaustedError`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True)
class CompletionRequest:
    """One completion of `messages` by `model`.

    `temperature=None` leaves the provider's default (some reasoning models accept no other).
    `sample` numbers independent samples of the same prompt: it is part of the cache key, so asking
    for samples 0..n-1 yields n completions rather than one cached answer n times.
    `prompt_id` ("<id>@<version>" of the prompt template) is provenance only; it is not sent and
    does not change the cache key.
    """

    messages: tuple[Message, ...]
    model: str
    max_tokens: int = 1024
    temperature: float | None = None
    stop: tuple[str, ...] = ()
    sample: int = 0
    prompt_id: str = ""


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class FinishReason(StrEnum):
    STOP = "stop"  # natural end or a stop sequence
    LENGTH = "length"  # hit max_tokens: the text is truncated
    CONTENT_FILTER = "content_filter"  # refused or filtered by the provider
    OTHER = "other"


@dataclass(frozen=True)
class Completion:
    text: str
    usage: Usage
    model: str  # as reported by the provider (may be a dated version of the requested model)
    finish_reason: FinishReason
    cached: bool = False  # served from a cache: no provider call, no tokens spent


class LLMProvider(Protocol):
    """Completes one request. Implementations are safe to call from several threads.

    `default_model` is the model the provider was configured with; callers put it (or another
    model the provider serves) in `CompletionRequest.model`.
    """

    name: str
    default_model: str

    def complete(self, request: CompletionRequest) -> Completion: ...


class LLMError(Exception):
    """Base of the errors an LLMProvider raises."""


class ProviderUnavailableError(LLMError):
    """The provider could not answer (connection refused, timeout, 5xx, garbled reply): an outage."""


class RateLimitedError(ProviderUnavailableError):
    """The provider throttled us (HTTP 429). `retry_after` is its hint in seconds, when it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderRejectedError(LLMError):
    """The provider refused this request (bad key, unknown model, invalid request): retrying won't help."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class BudgetExhaustedError(LLMError):
    """The run's token or cost budget is spent; no further calls are made."""


def request_hash(request: CompletionRequest) -> str:
    """Sha256 of the canonical JSON of everything that shapes the completion (not `prompt_id`)."""
    canonical = {
        "messages": [[m.role, m.content] for m in request.messages],
        "model": request.model,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "stop": list(request.stop),
        "sample": request.sample,
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
