"""ScriptedProvider: replays scripted completions; the shipped fake LLMProvider for graph tests.

A script is a sequence (served in order) or a function of the request. An entry is a `Completion`,
a plain string (wrapped in a Completion with estimated token counts) or an `LLMError` (raised, to
rehearse outages). Every request is recorded in `requests`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from optiagent.ports.llm import Completion, CompletionRequest, FinishReason, LLMError, Usage

ScriptEntry = Completion | str | LLMError
Script = Iterable[ScriptEntry] | Callable[[CompletionRequest], ScriptEntry]


class ScriptExhaustedError(AssertionError):
    """The test asked for more completions than it scripted."""


class ScriptedProvider:
    def __init__(
        self, script: Script, *, name: str = "scripted", default_model: str = "scripted-model"
    ) -> None:
        self.name = name
        self.default_model = default_model
        self.requests: list[CompletionRequest] = []
        self._lock = threading.Lock()
        if callable(script):
            self._respond = script
        else:
            entries = iter(list(script))
            self._respond = lambda request: self._next(entries)

    def complete(self, request: CompletionRequest) -> Completion:
        with self._lock:
            self.requests.append(request)
            entry = self._respond(request)
        match entry:
            case LLMError():
                raise entry
            case str():
                return Completion(entry, estimate_usage(request, entry), request.model, FinishReason.STOP)
            case Completion():
                return entry

    def _next(self, entries: Iterable[ScriptEntry]) -> ScriptEntry:
        try:
            return next(iter(entries))
        except StopIteration:
            raise ScriptExhaustedError(
                f"{self.name}: script exhausted after {len(self.requests) - 1} completions"
            ) from None


def estimate_usage(request: CompletionRequest, text: str) -> Usage:
    """About four characters per token, at least one token per side."""
    prompt_chars = sum(len(m.content) for m in request.messages)
    return Usage(max(1, prompt_chars // 4), max(1, len(text) // 4))
