"""BudgetedProvider: token and cost budgets stop calls before the provider is reached."""

from __future__ import annotations

import dataclasses

import pytest

from optiagent.adapters.llm.budget import BudgetedProvider, TokenPrice, UsageRecord
from optiagent.adapters.llm.cache import CachingProvider, InMemoryCompletionCache
from optiagent.adapters.llm.scripted import ScriptedProvider
from optiagent.domain.errors import ConfigError
from optiagent.ports.llm import (
    BudgetExhaustedError,
    Completion,
    CompletionRequest,
    FinishReason,
    Message,
    Usage,
)
from tests.adapters.llm.sdk_providers import SdkProvider
from tests.fakes.llm_server import FakeLLMServer, TextReply

REQUEST = CompletionRequest(messages=(Message("user", "go"),), model="m-test", prompt_id="plan@3")


def completion(prompt_tokens: int, completion_tokens: int) -> Completion:
    return Completion("x", Usage(prompt_tokens, completion_tokens), "m-test", FinishReason.STOP)


def test_budget_stops_at_the_token_limit_without_calling_the_server(
    llm_server: FakeLLMServer, sdk_provider: SdkProvider
) -> None:
    """Two calls of 60 tokens reach a 100-token budget; the third raises and sends nothing."""
    llm_server.enqueue(*[TextReply("ok", prompt_tokens=50, completion_tokens=10)] * 3)
    provider = BudgetedProvider(sdk_provider, max_tokens=100)

    provider.complete(REQUEST)
    provider.complete(dataclasses.replace(REQUEST, sample=1))
    with pytest.raises(BudgetExhaustedError, match="120 of 100"):
        provider.complete(dataclasses.replace(REQUEST, sample=2))

    assert len(llm_server.requests) == 2
    assert provider.tokens_spent == 120


def test_usage_is_recorded_per_call_with_prompt_id_and_model() -> None:
    """Each call leaves a UsageRecord(prompt_id, model, prompt_tokens, completion_tokens)."""
    provider = BudgetedProvider(ScriptedProvider([completion(7, 3), completion(5, 1)]), max_tokens=None)

    provider.complete(REQUEST)
    provider.complete(dataclasses.replace(REQUEST, prompt_id="code@1"))

    assert provider.records == [UsageRecord("plan@3", "m-test", 7, 3), UsageRecord("code@1", "m-test", 5, 1)]


def test_cost_budget_stops_calls_once_spent() -> None:
    """At $1 per million tokens, 600k + 600k tokens spend a $1 budget; the next call is refused."""
    prices = {"m-test": TokenPrice(prompt_per_million=1.0, completion_per_million=1.0)}
    inner = ScriptedProvider([completion(500_000, 100_000)] * 3)
    provider = BudgetedProvider(inner, max_tokens=None, max_cost=1.0, prices=prices)

    provider.complete(REQUEST)
    provider.complete(REQUEST)
    with pytest.raises(BudgetExhaustedError, match="cost budget"):
        provider.complete(REQUEST)

    assert provider.cost_spent == pytest.approx(1.2)
    assert len(inner.requests) == 2


def test_cost_budget_without_a_price_for_the_model_is_a_config_error() -> None:
    """A cost budget cannot be enforced for an unpriced model: ConfigError before any call."""
    inner = ScriptedProvider(["x"])
    provider = BudgetedProvider(inner, max_tokens=None, max_cost=1.0, prices={})

    with pytest.raises(ConfigError, match="m-test"):
        provider.complete(REQUEST)

    assert inner.requests == []


def test_cache_hits_are_recorded_but_free() -> None:
    """A completion served from a cache is recorded as cached and spends no budget."""
    cached = CachingProvider(ScriptedProvider([completion(40, 10)]), InMemoryCompletionCache())
    provider = BudgetedProvider(cached, max_tokens=60)

    for _ in range(5):
        provider.complete(REQUEST)

    assert provider.tokens_spent == 50
    assert [r.cached for r in provider.records] == [False, True, True, True, True]
