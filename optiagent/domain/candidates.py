"""Candidates: a proposed replacement of a target's whole module text, with provenance."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Candidate:
    """A full new text for the target's file; helpers in the same file may change too."""

    source: str
    strategy: str
    rules: tuple[str, ...] = ()
    # Free-form provenance: prompt id@version, prompt hash, model, token usage, parent candidate...
    provenance: Mapping[str, str | int | float] = field(default_factory=dict)

    @property
    def source_hash(self) -> str:
        return hashlib.sha256(self.source.encode()).hexdigest()


@dataclass(frozen=True)
class Budget:
    """What a generator may spend on one target."""

    max_candidates: int = 16
    max_tokens: int = 0
    max_seconds: float = 60.0
