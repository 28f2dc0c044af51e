"""The provider a run uses, assembled from settings: vendor SDK (with retries) -> completion cache ->
usage log -> run budget.

The budget sits outermost, so a completion served from the cache is recorded but costs nothing;
a re-run of the same prompts therefore spends no tokens at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from optiagent.adapters.llm.budget import BudgetedProvider, TokenPrice
from optiagent.adapters.llm.cache import CachingProvider, CompletionCache
from optiagent.adapters.llm.factory import build_provider
from optiagent.domain.errors import ConfigError
from optiagent.ports.llm import Completion, CompletionRequest, LLMProvider
from optiagent.settings import LLMSettings

DEFAULT_MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-3-5-haiku-latest"}


class UsageSink(Protocol):
    def record_call(
        self,
        run_id: str,
        prompt_id: str,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        cached: bool,
    ) -> None: ...


class RecordingProvider:
    """Writes every call's usage (cached calls too, flagged) to a sink, under one invocation id."""

    def __init__(self, inner: LLMProvider, sink: UsageSink, run_id: str) -> None:
        self.name = inner.name
        self.default_model = inner.default_model
        self._inner = inner
        self._sink = sink
        self._run_id = run_id

    def complete(self, request: CompletionRequest) -> Completion:
        completion = self._inner.complete(request)
        usage = completion.usage
        self._sink.record_call(
            self._run_id,
            request.prompt_id,
            completion.model,
            usage.prompt_tokens,
            usage.completion_tokens,
            completion.cached,
        )
        return completion


@dataclass
class LLMStack:
    provider: BudgetedProvider
    model: str
    temperature: float | None
    max_tokens: int
    token_budget: int | None
    run_id: str

    def remaining_tokens(self) -> int | None:
        if self.token_budget is None:
            return None
        return max(0, self.token_budget - self.provider.tokens_spent)


class CompletionStore(CompletionCache, UsageSink, Protocol):
    """A completion cache that also keeps the usage log (SqlCompletionCache)."""


def resolve_api_key(settings: LLMSettings, openai_key: str | None, anthropic_key: str | None) -> str | None:
    if settings.api_key is not None:
        return settings.api_key.get_secret_value()
    if settings.provider == "openai":
        return openai_key
    if settings.provider == "anthropic":
        return anthropic_key
    return None


def build_llm_stack(
    settings: LLMSettings,
    api_key: str | None,
    cache: CompletionStore | None,
) -> LLMStack | None:
    """None when no provider is configured (the catalogue still works)."""
    if settings.provider == "none":
        return None
    model = settings.model or DEFAULT_MODELS.get(settings.provider, "")
    if not model:
        raise ConfigError(f"provider {settings.provider!r} needs a model name (--model)")
    if settings.token_budget is not None and settings.token_budget <= 0:
        raise ConfigError("the token budget must be positive")
    if settings.cost_budget is not None and (
        settings.prompt_price_per_million is None or settings.completion_price_per_million is None
    ):
        raise ConfigError(
            "a cost budget needs OPTIAGENT_LLM__PROMPT_PRICE_PER_MILLION and __COMPLETION_PRICE_PER_MILLION"
        )
    if settings.max_tokens <= 0:
        raise ConfigError("max tokens must be positive")
    inner = build_provider(
        settings.provider, model, settings.base_url, api_key, settings.timeout_s, settings.max_retries
    )
    run_id = uuid.uuid4().hex
    if cache is not None:
        inner = RecordingProvider(CachingProvider(inner, cache), cache, run_id)
    prices = None
    if settings.prompt_price_per_million is not None and settings.completion_price_per_million is not None:
        prices = {model: TokenPrice(settings.prompt_price_per_million, settings.completion_price_per_million)}
    budgeted = BudgetedProvider(
        inner, max_tokens=settings.token_budget, max_cost=settings.cost_budget, prices=prices
    )
    return LLMStack(budgeted, model, settings.temperature, settings.max_tokens, settings.token_budget, run_id)
