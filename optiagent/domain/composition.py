"""The accepted edits of one file, composed into the one text `--apply` writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DroppedEdit:
    """An accepted edit left out of its file's composition, and why."""

    qualname: str
    reason: str


@dataclass
class ComposedFile:
    """One file's accepted edits as one module text, checked as a whole before it is written.

    `validated_on` names the targets whose inputs the composed text was checked on: every target
    in `edits` (a file with one edit is its own check).
    """

    file: str  # as the report names it
    original_hash: str  # sha256 of the file's bytes when the run began
    source: str = field(repr=False)  # the composed module text
    edits: list[str]  # qualnames of the edits in `source`, fastest first
    dropped: list[DroppedEdit] = field(default_factory=list)
    validated_on: list[str] = field(default_factory=list)
    diff: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "edits": list(self.edits),
            "dropped": [{"qualname": d.qualname, "reason": d.reason} for d in self.dropped],
            "validated_on": list(self.validated_on),
            "diff": self.diff,
        }
