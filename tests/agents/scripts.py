"""Scripted model answers for graph tests: the fake server's model, called in-process."""

from __future__ import annotations

from collections.abc import Callable

from optiagent.ports.llm import CompletionRequest
from tests.fakes.llm_model import FUNCTION, GarbageModel, ScriptedModel, step_of


def step(request: CompletionRequest) -> str:
    return step_of(request.messages[0].content)


def scripted(model: ScriptedModel | None = None) -> Callable[[CompletionRequest], str]:
    """The well-behaved model as a ScriptedProvider script."""
    model = model or ScriptedModel()

    def answer(request: CompletionRequest) -> str:
        user = request.messages[-1].content
        match = FUNCTION.search(user)
        return model.answer(step(request), match.group(1) if match else "", user)

    return answer


def overriding(
    overrides: dict[str, list[str]], fallback: Callable[[CompletionRequest], str] | None = None
) -> Callable[[CompletionRequest], str]:
    """Answers from `overrides[step]` in order while they last, else from `fallback`."""
    fallback = fallback or scripted()

    def answer(request: CompletionRequest) -> str:
        queue = overrides.get(step(request))
        if queue:
            return queue.pop(0)
        return fallback(request)

    return answer


__all__ = ["GarbageModel", "overriding", "scripted", "step"]
