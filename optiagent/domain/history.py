"""Records kept in the history store: runs, targets, candidates, verdicts, measurements, edits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from optiagent.domain.jobs import DEFAULT_TENANT
from optiagent.domain.samples import Machine, Pair


@dataclass(frozen=True)
class RunRecord:
    id: str
    root: str
    started_at: datetime
    strategies: tuple[str, ...]
    sandbox: str
    repo: str = ""  # a repository identity (path or URL) used to query edits by repo
    finished_at: datetime | None = None
    summary: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class TargetRecord:
    id: str
    run_id: str
    file: str
    qualname: str
    kind: str
    status: str = "pending"  # improved | unchanged | skipped | failed
    reason: str = ""


@dataclass(frozen=True)
class CandidateRecord:
    id: str
    target_id: str
    source_hash: str
    source: str
    strategy: str
    rules: tuple[str, ...] = ()
    provenance: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class VerdictRecord:
    candidate_id: str
    verdict: str  # equivalent | mismatch | crashed | timed_out | nondeterministic
    detail: str = ""
    checked: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MeasurementRecord:
    candidate_id: str
    speedup: float
    ci_low: float
    ci_high: float
    samples: int
    original_s: float
    candidate_s: float
    accepted: bool
    pairs: tuple[Pair, ...] = ()  # the raw samples, in the order taken (export: pyperf files)
    machine: Machine | None = None


@dataclass(frozen=True)
class AcceptedEdit:
    """A PIE-style pair: slow code, fast code, speedup and the evidence behind it."""

    id: str
    run_id: str
    target_id: str
    candidate_id: str
    repo: str
    file: str
    qualname: str
    original_source: str
    optimized_source: str
    diff: str
    speedup: float
    ci_low: float
    ci_high: float
    strategy: str
    rules: tuple[str, ...]
    created_at: datetime
    applied: bool = False
    evidence: Mapping[str, object] = field(default_factory=dict)
    tenant: str = DEFAULT_TENANT  # whose code it is: the service shows and reuses it only within


@dataclass(frozen=True)
class VerdictCacheKey:
    """Identifies a verdict independent of run: the normalized candidate source and the inputs it ran on."""

    source_hash: str  # hash of the normalized candidate source (and the original it is compared with)
    inputs_hash: str  # hash of the input set the candidate was checked against


@dataclass(frozen=True)
class CachedVerdict:
    key: VerdictCacheKey
    verdict: str  # equivalent | mismatch | crashed | timed_out | nondeterministic
    detail: str = ""
    checked: Mapping[str, int] = field(default_factory=dict)
