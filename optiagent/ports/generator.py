"""The candidate generator interface shared by the catalogue and the LLM strategies.

A generator sees a `TargetContext`: the code, what profiling learned, and ports the service
provides so an agent can get sandboxed feedback while it works (`validator` runs the batched
differential check against the original; `runner` runs code on call expressions; `search` looks
through the project). Ports are optional: the catalogue needs none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from optiagent.domain.candidates import Budget, Candidate
from optiagent.domain.targets import Target


@dataclass(frozen=True)
class Validation:
    """What the sandboxed check said about one candidate module text."""

    equivalent: bool
    verdict: str  # equivalent | mismatch | crashed | timed_out | nondeterministic | ...
    feedback: str = ""  # the shrunk counterexample or the error, for a repair prompt
    speedup_hint: float | None = None  # one-pass timing against the original, when measured


class CandidateValidator(Protocol):
    def validate(self, sources: Sequence[str]) -> list[Validation]: ...


@dataclass(frozen=True)
class CallResult:
    output: str | None  # canonical text of the return value; None when the call raised or timed out
    error: str = ""
    seconds: float = 0.0


class CodeRunner(Protocol):
    """Runs each program (a module text) on each call expression, in the sandbox."""

    def run_calls(self, programs: Sequence[str], calls: Sequence[str]) -> list[list[CallResult]]: ...


class RepoSearch(Protocol):
    def search(self, pattern: str, limit: int = 20) -> list[str]: ...


@dataclass(frozen=True)
class PastEdit:
    """An accepted edit from the history store, offered as a few-shot example."""

    qualname: str
    original: str  # the function before
    optimized: str  # the function after
    speedup: float


@dataclass(frozen=True)
class TargetContext:
    """What a generator may look at: the module text and what we learned about the target."""

    module_source: str
    target_source: str
    profile_lines: Sequence[str] = ()
    feedback: Sequence[str] = field(default_factory=tuple)
    examples: Sequence[tuple[str, str]] = ()  # docstring examples: (call expression, expected repr)
    past_edits: Sequence[PastEdit] = ()
    validator: CandidateValidator | None = None
    runner: CodeRunner | None = None
    search: RepoSearch | None = None


class CandidateGenerator(Protocol):
    name: str

    def propose(self, target: Target, context: TargetContext, budget: Budget) -> list[Candidate]: ...
