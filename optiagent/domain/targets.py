"""What a run looks at: targets (functions, methods, programs) and files it had to skip."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

PROGRAM_QUALNAME = "<program>"
LOCALS = "<locals>"  # the compiler's qualname part for a function's local scope


def is_nested(qualname: str) -> bool:
    """Defined inside a function: reached through its enclosing function's code, and called in
    the check with the closure its workload calls had (`harness/nested.py`)."""
    return LOCALS in qualname.split(".")


class TargetKind(StrEnum):
    FUNCTION = "function"
    METHOD = "method"
    PROGRAM = "program"


@dataclass(frozen=True)
class Target:
    """One optimizable unit. `file` is relative to the run's root, with forward slashes."""

    file: str
    qualname: str
    kind: TargetKind
    start_line: int = 0
    end_line: int = 0
    # Static or profiled cost used for ranking; higher is hotter.
    score: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.file}::{self.qualname}"

    @property
    def nested(self) -> bool:
        """A function defined inside another (`f.<locals>.repl`): see `is_nested`."""
        return is_nested(self.qualname)

    @property
    def module_name(self) -> str:
        """Dotted module name of `file` relative to the root (`pkg/mod.py` -> `pkg.mod`)."""
        stem = self.file[:-3] if self.file.endswith(".py") else self.file
        parts = stem.split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        return ".".join(parts)


@dataclass(frozen=True)
class SkippedFile:
    """A file discovery could not use, and why (shown in the report, never a crash)."""

    file: str
    reason: str
