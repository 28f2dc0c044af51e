"""BudgetedProvider: a per-run token budget (prompt + completion) and optional cost budget.

Checked before each call: once the spend reaches a limit, the next call raises
`BudgetExhaustedError` without reaching the provider. The call that crosses a limit completes, so a
run can overshoot by at most the calls in flight. Completions served from a cache are recorded
but cost nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from optiagent.domain.errors import ConfigError
from optiagent.ports.llm import BudgetExhaustedError, Completion, CompletionRequest, LLMProvider


@dataclass(frozen=True)
class TokenPrice:
    """Price per million tokens, in any one currency the cost budget also uses."""

    prompt_per_million: float
    completion_per_million: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.prompt_per_million + completion_tokens * self.completion_per_million
        ) / 1e6


@dataclass(frozen=True)
class UsageRecord:
    prompt_id: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost: float = 0.0
    cached: bool = False


class BudgetedProvider:
    def __init__(
        self,
        inner: LLMProvider,
        *,
        max_tokens: int | None,
        max_cost: float | None = None,
        prices: Mapping[str, TokenPrice] | None = None,
    ) -> None:
        self.name = inner.name
        self.default_model = inner.default_model
        self._inner = inner
        self._max_tokens = max_tokens
        self._max_cost = max_cost
        self._prices = dict(prices or {})
        self._records: list[UsageRecord] = []
        self._lock = threading.Lock()

    @property
    def records(self) -> list[UsageRecord]:
        with self._lock:
            return list(self._records)

    @property
    def tokens_spent(self) -> int:
        with self._lock:
            return sum(r.prompt_tokens + r.completion_tokens for r in self._records if not r.cached)

    @property
    def cost_spent(self) -> float:
        with self._lock:
            return sum(r.cost for r in self._records)

    def complete(self, request: CompletionRequest) -> Completion:
        price = self._price_of(request.model)
        self._check_budget()
        completion = self._inner.complete(request)
        usage = completion.usage
        cost = 0.0
        if price is not None and not completion.cached:
            cost = price.cost(usage.prompt_tokens, usage.completion_tokens)
        record = UsageRecord(
            request.prompt_id,
            request.model,
            usage.prompt_tokens,
            usage.completion_tokens,
            cost,
            completion.cached,
        )
        with self._lock:
            self._records.append(record)
        return completion

    def _price_of(self, model: str) -> TokenPrice | None:
        price = self._prices.get(model)
        if price is None and self._max_cost is not None:
            raise ConfigError(f"a cost budget is set but model {model!r} has no price")
        return price

    def _check_budget(self) -> None:
        tokens, cost = self.tokens_spent, self.cost_spent
        if self._max_tokens is not None and tokens >= self._max_tokens:
            raise BudgetExhaustedError(f"token budget spent: {tokens} of {self._max_tokens}")
        if self._max_cost is not None and cost >= self._max_cost:
            raise BudgetExhaustedError(f"cost budget spent: {cost:.4f} of {self._max_cost:.4f}")
