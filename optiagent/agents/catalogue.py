"""The `catalogue` strategy: offline libcst rewrite rules, no LLM."""

from __future__ import annotations

from optiagent.domain.candidates import Budget, Candidate
from optiagent.domain.targets import Target
from optiagent.ports.generator import TargetContext
from optiagent.rewrite.catalogue import propose_rewrites


class CatalogueGenerator:
    """Every rule that applies to the target, and compatible combinations of them."""

    name = "catalogue"

    def __init__(self, max_combinations: int = 8) -> None:
        self._max_combinations = max_combinations

    def propose(self, target: Target, context: TargetContext, budget: Budget) -> list[Candidate]:
        rewrites = propose_rewrites(
            context.module_source, target.qualname, max_combinations=self._max_combinations
        )
        candidates = [Candidate(source=r.source, strategy=self.name, rules=r.rules) for r in rewrites]
        return candidates[: budget.max_candidates]
