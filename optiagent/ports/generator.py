"""The candidate generator interface shared by the catalogue and the LLM strategies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from optiagent.domain.candidates import Budget, Candidate
from optiagent.domain.targets import Target


@dataclass(frozen=True)
class TargetContext:
    """What a generator may look at: the module text and what we learned about the target."""

    module_source: str
    target_source: str
    profile_lines: Sequence[str] = ()
    feedback: Sequence[str] = field(default_factory=tuple)


class CandidateGenerator(Protocol):
    name: str

    def propose(self, target: Target, context: TargetContext, budget: Budget) -> list[Candidate]: ...
