"""What every rewrite rule of the offline catalogue looks like."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import libcst as cst


@dataclass(frozen=True)
class RuleInfo:
    """Identity of a rule: `OPT###` id, short title, one-line explanation for humans."""

    id: str
    title: str
    explanation: str


class Rule(Protocol):
    """A libcst rewrite with preconditions; `rewrite` returns the whole new module or None."""

    info: RuleInfo

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        """The rewritten module, or None when the rule does not apply to `qualname`."""
        ...
