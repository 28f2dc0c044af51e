"""LLM strategies as CandidateGenerators: each target runs the agent graph with one strategy."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass

from optiagent.agents.graph import AgentOutcome, AgentRun, AgentSettings, run_agent
from optiagent.agents.llm import LLMOptions, LLMSession
from optiagent.agents.strategies.base import Strategy
from optiagent.agents.strategies.funcoder import FunCoderStrategy
from optiagent.agents.strategies.plansearch import PlanSearchStrategy
from optiagent.agents.strategies.rewoo import ReWOOStrategy
from optiagent.agents.strategies.sampling import SamplingStrategy
from optiagent.domain.candidates import Budget, Candidate
from optiagent.domain.targets import Target
from optiagent.ports.generator import TargetContext
from optiagent.ports.llm import LLMError, LLMProvider, ProviderRejectedError, ProviderUnavailableError

LLM_STRATEGIES: dict[str, Callable[[], Strategy]] = {
    "plansearch": PlanSearchStrategy,
    "rewoo": ReWOOStrategy,
    "funcoder": FunCoderStrategy,
    "sampling": SamplingStrategy,
}


class NoCandidatesError(RuntimeError):
    """The model's answers gave no usable candidate; the message lists why."""


@dataclass(frozen=True)
class TargetUsage:
    """What one strategy spent on one target (for reports and benchmarks/agent_cost.py)."""

    target: str
    strategy: str
    calls: int
    tokens: int
    candidates: int
    stopped: str


class UsageLog:
    def __init__(self) -> None:
        self._entries: list[TargetUsage] = []
        self._lock = threading.Lock()

    def add(self, entry: TargetUsage) -> None:
        with self._lock:
            self._entries.append(entry)

    @property
    def entries(self) -> list[TargetUsage]:
        with self._lock:
            return list(self._entries)


def _outcome_or_raise(outcome: AgentOutcome) -> list[Candidate]:
    if outcome.candidates:
        return outcome.candidates
    if isinstance(outcome.error, ProviderUnavailableError | ProviderRejectedError):
        raise outcome.error
    if isinstance(outcome.error, LLMError) and outcome.drafts == 0:
        raise outcome.error  # e.g. the budget was spent before the model wrote anything
    reasons = list(dict.fromkeys(outcome.notes))
    raise NoCandidatesError("; ".join(reasons)[:1500] or "the model proposed nothing usable")


class AgentGenerator:
    """One LLM strategy (plansearch, rewoo, funcoder, sampling) behind the CandidateGenerator port."""

    def __init__(
        self,
        strategy: Strategy,
        provider: LLMProvider,
        options: LLMOptions,
        settings: AgentSettings | None = None,
        usage: UsageLog | None = None,
    ) -> None:
        self.name = strategy.name
        self._strategy = strategy
        self._provider = provider
        self._options = options
        self._settings = settings or AgentSettings()
        self.usage = usage or UsageLog()

    def run(
        self, target: Target, context: TargetContext, budget: Budget, session: LLMSession
    ) -> AgentOutcome:
        settings = dataclasses.replace(self._settings, max_candidates=budget.max_candidates)
        outcome = run_agent(AgentRun(target, context, session, self._strategy, settings))
        return outcome

    def propose(self, target: Target, context: TargetContext, budget: Budget) -> list[Candidate]:
        session = LLMSession(self._provider, self._options, token_allowance=budget.max_tokens)
        outcome = self.run(target, context, budget, session)
        self.usage.add(
            TargetUsage(
                target.key,
                self.name,
                len(session.calls),
                session.tokens,
                len(outcome.candidates),
                outcome.stopped,
            )
        )
        return _outcome_or_raise(outcome)


class AutoGenerator:
    """`auto`: spends the budget across strategies, more on hot targets that show promise.

    Every target first gets ReWOO (two calls). A target that is hot (at least half the score of
    the hottest target seen) or whose first candidates validated gets PlanSearch and FunCoder too.
    With a run token budget, a target may spend at most a share of what remains (40% when hot,
    20% otherwise), so the budget is spread over the ranked targets instead of sunk into the first.
    """

    name = "auto"

    def __init__(
        self,
        provider: LLMProvider,
        options: LLMOptions,
        remaining_tokens: Callable[[], int | None] = lambda: None,
        settings: AgentSettings | None = None,
        usage: UsageLog | None = None,
    ) -> None:
        self._provider = provider
        self._options = options
        self._remaining = remaining_tokens
        self._settings = settings or AgentSettings()
        self.usage = usage or UsageLog()
        self._hottest = 0.0
        self._lock = threading.Lock()

    def _is_hot(self, target: Target) -> bool:
        with self._lock:
            self._hottest = max(self._hottest, target.score)
            return target.score >= 0.5 * self._hottest

    def propose(self, target: Target, context: TargetContext, budget: Budget) -> list[Candidate]:
        hot = self._is_hot(target)
        remaining = self._remaining()
        allowance = budget.max_tokens
        if remaining is not None:
            allowance = max(1, int(remaining * (0.4 if hot else 0.2)))
        session = LLMSession(self._provider, self._options, token_allowance=allowance)
        settings = dataclasses.replace(self._settings, max_candidates=budget.max_candidates)

        def stage(strategy: Strategy) -> AgentOutcome:
            outcome = run_agent(AgentRun(target, context, session, strategy, settings))
            found.extend(dataclasses.replace(c, strategy=f"auto:{c.strategy}") for c in outcome.candidates)
            return outcome

        found: list[Candidate] = []
        last = stage(ReWOOStrategy())
        promising = any(c.provenance.get("agent_verdict") == "equivalent" for c in found)
        if last.error is None and (hot or promising):
            for strategy in (
                PlanSearchStrategy(n_observations=2, max_layer1=2, max_obs_sets=2),
                FunCoderStrategy(),
            ):
                last = stage(strategy)
                if last.error is not None:
                    break
        self.usage.add(
            TargetUsage(target.key, self.name, len(session.calls), session.tokens, len(found), last.stopped)
        )
        return found or _outcome_or_raise(last)
