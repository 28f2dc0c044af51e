"""ScriptedProvider: the shipped fake replays its script in order, raises scripted errors, records requests."""

from __future__ import annotations

import pytest

from optiagent.adapters.llm.scripted import ScriptedProvider, ScriptExhaustedError
from optiagent.ports.llm import (
    Completion,
    CompletionRequest,
    FinishReason,
    Message,
    RateLimitedError,
    Usage,
)

REQUEST = CompletionRequest(messages=(Message("user", "12345678"),), model="m-test", prompt_id="p@1")


def test_replays_strings_and_completions_in_order() -> None:
    """Entries come back in script order; strings get the request's model and estimated usage."""
    scripted = Completion("two", Usage(1, 1), "other-model", FinishReason.LENGTH)
    provider = ScriptedProvider(["one", scripted])

    first, second = provider.complete(REQUEST), provider.complete(REQUEST)

    assert (first.text, first.model, first.usage) == ("one", "m-test", Usage(2, 1))
    assert second == scripted


def test_raises_scripted_errors() -> None:
    """An LLMError in the script is raised, to rehearse outages in graph tests."""
    provider = ScriptedProvider([RateLimitedError("slow down", retry_after=1.0)])

    with pytest.raises(RateLimitedError):
        provider.complete(REQUEST)


def test_running_out_of_script_fails_loudly() -> None:
    """Asking for more completions than scripted raises ScriptExhaustedError."""
    provider = ScriptedProvider(["only"])
    provider.complete(REQUEST)

    with pytest.raises(ScriptExhaustedError, match="after 1"):
        provider.complete(REQUEST)


def test_callable_script_sees_each_request_and_requests_are_recorded() -> None:
    """A function script answers from the request; every request is kept in `requests`."""
    provider = ScriptedProvider(lambda request: f"answer to {request.prompt_id}")

    assert provider.complete(REQUEST).text == "answer to p@1"
    assert provider.requests == [REQUEST]
