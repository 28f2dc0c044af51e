"""The LLMProvider contract, run against every implementation: Scripted, OpenAI and Anthropic (via the fake)."""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from optiagent.adapters.llm.budget import BudgetedProvider
from optiagent.adapters.llm.cache import CachingProvider, InMemoryCompletionCache
from optiagent.adapters.llm.scripted import ScriptedProvider, ScriptEntry
from optiagent.ports.llm import (
    Completion,
    CompletionRequest,
    FinishReason,
    LLMProvider,
    Message,
    ProviderUnavailableError,
    Usage,
)
from tests.adapters.llm.sdk_providers import FAST_RETRY, build_sdk_provider
from tests.fakes.llm_server import ErrorReply, FakeLLMServer, Finish, TextReply


@dataclass
class Subject:
    """A provider under test plus the knobs to script what its backend answers next."""

    provider: LLMProvider
    reply: Callable[[str, int, int, FinishReason], None]
    outage: Callable[[], None]


def scripted_subject() -> Subject:
    queue: collections.deque[ScriptEntry] = collections.deque()

    def respond(request: CompletionRequest) -> ScriptEntry:
        if queue:
            return queue.popleft()
        return f"echo: {request.messages[-1].content}"

    def reply(text: str, prompt_tokens: int, completion_tokens: int, finish: FinishReason) -> None:
        queue.append(Completion(text, Usage(prompt_tokens, completion_tokens), "m-test", finish))

    return Subject(ScriptedProvider(respond), reply, lambda: queue.append(ProviderUnavailableError("down")))


def fake_server_subject(vendor: str, server: FakeLLMServer) -> Subject:
    finishes: dict[FinishReason, Finish] = {
        FinishReason.STOP: "stop",
        FinishReason.LENGTH: "length",
        FinishReason.CONTENT_FILTER: "filter",
    }

    def reply(text: str, prompt_tokens: int, completion_tokens: int, finish: FinishReason) -> None:
        server.enqueue(TextReply(text, prompt_tokens, completion_tokens, finishes[finish]))

    def outage() -> None:
        server.enqueue(*[ErrorReply(503)] * FAST_RETRY.max_attempts)

    return Subject(build_sdk_provider(vendor, server.url), reply, outage)


@pytest.fixture(params=["scripted", "openai", "anthropic"])
def subject(request: pytest.FixtureRequest) -> Iterator[Subject]:
    if request.param == "scripted":
        yield scripted_subject()
        return
    with FakeLLMServer() as server:
        yield fake_server_subject(request.param, server)


def ask(content: str, max_tokens: int = 64) -> CompletionRequest:
    messages = (Message("system", "be brief"), Message("user", content))
    return CompletionRequest(messages=messages, model="m-test", max_tokens=max_tokens)


def test_returns_the_text_and_usage_of_the_reply(subject: Subject) -> None:
    """complete() returns the backend's text, token usage and a STOP finish reason."""
    subject.reply("def fast(): ...", 21, 6, FinishReason.STOP)

    completion = subject.provider.complete(ask("optimize"))

    assert completion.text == "def fast(): ..."
    assert completion.usage == Usage(21, 6)
    assert completion.usage.total_tokens == 27
    assert completion.finish_reason is FinishReason.STOP
    assert completion.model == "m-test"
    assert not completion.cached


@pytest.mark.parametrize("finish", [FinishReason.LENGTH, FinishReason.CONTENT_FILTER])
def test_reports_truncation_and_filtering(subject: Subject, finish: FinishReason) -> None:
    """A reply cut off by max_tokens or withheld by the provider says so in finish_reason."""
    subject.reply("def fa", 5, 2, finish)

    assert subject.provider.complete(ask("optimize", max_tokens=2)).finish_reason is finish


def test_persistent_outage_raises_provider_unavailable(subject: Subject) -> None:
    """An outage that outlasts the retries surfaces as ProviderUnavailableError."""
    subject.outage()

    with pytest.raises(ProviderUnavailableError):
        subject.provider.complete(ask("optimize"))


def test_names_itself_and_its_default_model(subject: Subject) -> None:
    """Every provider has a non-empty name and default_model."""
    assert subject.provider.name
    assert subject.provider.default_model


def test_concurrent_calls_each_get_their_own_answer(subject: Subject) -> None:
    """Calls from several threads are answered independently (providers are thread-safe)."""
    prompts = [f"prompt {i}" for i in range(8)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = list(pool.map(lambda p: subject.provider.complete(ask(p)).text, prompts))

    assert texts == [f"echo: {p}" for p in prompts]


def test_composes_with_cache_and_budget(subject: Subject) -> None:
    """Behind CachingProvider and BudgetedProvider it still answers; a repeat is a free cache hit."""
    subject.reply("ok", 10, 2, FinishReason.STOP)
    provider = BudgetedProvider(CachingProvider(subject.provider, InMemoryCompletionCache()), max_tokens=1000)

    first, second = provider.complete(ask("once")), provider.complete(ask("once"))

    assert (first.text, second.text, second.cached) == ("ok", "ok", True)
    assert provider.tokens_spent == 12
