"""An agent's conversation with the LLM: prompt templates in, text out, every call accounted."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from optiagent.agents.prompts import prompt
from optiagent.ports.llm import BudgetExhaustedError, CompletionRequest, FinishReason, LLMProvider


@dataclass(frozen=True)
class LLMOptions:
    model: str
    temperature: float | None = None  # None: each step's own default
    max_tokens: int = 2048


@dataclass(frozen=True)
class CallRecord:
    prompt: str  # id@version
    prompt_hash: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cached: bool
    finish: str


@dataclass(frozen=True)
class Reply:
    text: str
    call: CallRecord


class LLMSession:
    """One target's LLM calls. `token_allowance` caps this session (0 = only the run's budget)."""

    def __init__(self, provider: LLMProvider, options: LLMOptions, token_allowance: int = 0) -> None:
        self._provider = provider
        self._options = options
        self._allowance = token_allowance
        self._calls: list[CallRecord] = []
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        return self._options.model

    @property
    def calls(self) -> list[CallRecord]:
        with self._lock:
            return list(self._calls)

    @property
    def tokens(self) -> int:
        """Tokens this session made the provider spend (cache hits are free)."""
        with self._lock:
            return sum(c.prompt_tokens + c.completion_tokens for c in self._calls if not c.cached)

    def ask(self, prompt_id: str, *, temperature: float = 0.0, sample: int = 0, **values: object) -> Reply:
        """Render the template, complete it; `temperature` is the step's default unless options fix one."""
        if self._allowance and self.tokens >= self._allowance:
            raise BudgetExhaustedError(f"target allowance spent: {self.tokens} of {self._allowance} tokens")
        template = prompt(prompt_id)
        chosen = self._options.temperature if self._options.temperature is not None else temperature
        request = CompletionRequest(
            messages=template.render(**values),
            model=self._options.model,
            max_tokens=self._options.max_tokens,
            temperature=chosen,
            sample=sample,
            prompt_id=template.ref,
        )
        completion = self._provider.complete(request)
        record = CallRecord(
            template.ref,
            template.digest,
            completion.model,
            completion.usage.prompt_tokens,
            completion.usage.completion_tokens,
            completion.cached,
            completion.finish_reason.value,
        )
        with self._lock:
            self._calls.append(record)
        text = completion.text
        if completion.finish_reason is FinishReason.CONTENT_FILTER:
            text = ""  # a refusal carries no usable answer
        return Reply(text, record)


def provenance(reply: Reply, session: LLMSession) -> dict[str, str | int | float]:
    """What a candidate records about the call that wrote it and the session behind it."""
    call = reply.call
    return {
        "prompt": call.prompt,
        "prompt_hash": call.prompt_hash,
        "model": call.model,
        "prompt_tokens": call.prompt_tokens,
        "completion_tokens": call.completion_tokens,
        "cached": int(call.cached),
        "session_calls": len(session.calls),
        "session_tokens": session.tokens,
    }
