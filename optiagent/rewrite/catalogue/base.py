"""What every rewrite rule of the offline catalogue looks like, and what it may assume."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

import libcst as cst


class Discharge(enum.Enum):
    """How a rule makes sure an assumption holds before its rewrite can be accepted."""

    STATIC = "checked by the rule before it rewrites"  # the rule's own analysis of the code
    ANNOTATED = "proven by the annotations, else guarded in the emitted code"
    GUARDED = "guarded in the emitted code (falls back to the original behaviour)"
    TESTED = "tested on contract-wide generated inputs"  # validation rejects it where it fails


@dataclass(frozen=True)
class Precondition:
    """One assumption of a rewrite (`hashable elements`, `total order`, ...) and its discharge."""

    assumption: str
    discharge: Discharge

    def describe(self) -> str:
        return f"{self.assumption} ({self.discharge.value})"


@dataclass(frozen=True)
class RuleInfo:
    """Identity of a rule: `OPT###` id, short title, one-line explanation for humans, and the
    assumptions its rewrite makes about values (empty for rules that declare none: they still load)."""

    id: str
    title: str
    explanation: str
    preconditions: tuple[Precondition, ...] = ()


class Rule(Protocol):
    """A libcst rewrite with preconditions; `rewrite` returns the whole new module or None."""

    info: RuleInfo

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        """The rewritten module, or None when the rule does not apply to `qualname`."""
        ...


# Assumptions shared by several rules, worded once.
HASHABLE = "elements are hashable"
CONSISTENT_HASH = "equal elements hash equally across their types (no __eq__/__hash__ overrides)"
TOTAL_ORDER = "elements are totally ordered (no NaN, no mixed unorderable types)"
NO_ALIASING = "no other reference to the rewritten object sees the change"
PURE = "the rewritten code has no side effects the rewrite reorders or drops"
REITERABLE = "the iterated value can be iterated again (not a one-shot iterator)"
INT_ONLY = "the operands are ints (not floats, not int subclasses that override the operator)"
