"""What every LLM strategy shares: the work item, drafts, and the plan/generate interface."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from optiagent.agents.analysis import Problem
from optiagent.agents.llm import LLMSession, Reply, provenance
from optiagent.agents.parsing import DraftError, draft_module
from optiagent.domain.targets import Target
from optiagent.ports.generator import TargetContext


@dataclass
class Work:
    """One target for one strategy run."""

    target: Target
    context: TargetContext
    session: LLMSession
    problem: Problem
    rng: random.Random = field(default_factory=lambda: random.Random(3))

    @property
    def name(self) -> str:
        return self.problem.function_name


@dataclass(frozen=True)
class Draft:
    """A model answer turned (or not) into a full module text."""

    strategy: str
    answer: str
    module: str | None  # None when the answer could not be used
    error: str = ""
    provenance: Mapping[str, str | int | float] = field(default_factory=dict)


def draft_from(work: Work, strategy: str, reply: Reply, **extra: str | int | float) -> Draft:
    details = {**provenance(reply, work.session), **extra}
    try:
        module = draft_module(work.context.module_source, work.target.qualname, reply.text)
    except DraftError as error:
        return Draft(strategy, reply.text, None, str(error), details)
    return Draft(strategy, reply.text, module, "", details)


def draft_from_module(
    work: Work, strategy: str, module: str, reply: Reply, **extra: str | int | float
) -> Draft:
    return Draft(strategy, module, module, "", {**provenance(reply, work.session), **extra})


class Strategy(Protocol):
    @property
    def name(self) -> str: ...

    def plan(self, work: Work) -> object:
        """Whatever the strategy needs before writing code (observations, evidence, a call tree)."""
        ...

    def generate(self, work: Work, plan: object) -> list[Draft]: ...
