"""Validation outcomes as a closed union: expected results are values, not exceptions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Equivalent:
    """Agreed with the original on every input it could run. `checked` counts inputs by source."""

    checked: Mapping[str, int] = field(default_factory=dict)
    largest_input: int | None = None


@dataclass(frozen=True)
class Mismatch:
    """Disagreed with the original; `counterexample` is the (shrunk) input, rendered with repr."""

    counterexample: str
    source: str
    detail: str


@dataclass(frozen=True)
class Crashed:
    detail: str


@dataclass(frozen=True)
class TimedOut:
    detail: str


@dataclass(frozen=True)
class Nondeterministic:
    """The original disagrees with itself on too many inputs to judge any candidate."""

    detail: str


Verdict = Equivalent | Mismatch | Crashed | TimedOut | Nondeterministic


def verdict_name(verdict: Verdict) -> str:
    match verdict:
        case Equivalent():
            return "equivalent"
        case Mismatch():
            return "mismatch"
        case Crashed():
            return "crashed"
        case TimedOut():
            return "timed_out"
        case Nondeterministic():
            return "nondeterministic"
