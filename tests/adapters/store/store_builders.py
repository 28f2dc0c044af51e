"""Small valid history records for the store tests; override only what a test is about."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from optiagent.domain.history import (
    AcceptedEdit,
    CandidateRecord,
    MeasurementRecord,
    RunRecord,
    TargetRecord,
    VerdictRecord,
)
from optiagent.domain.samples import Machine, Pair, Sample
from optiagent.ports.store import EditStore

T0 = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
PLUS_TWO = timezone(timedelta(hours=2))


def a_run(**changes: Any) -> RunRecord:
    fields: dict[str, Any] = {
        "id": "run-1",
        "root": "/src/project",
        "started_at": T0.astimezone(PLUS_TWO),
        "strategies": ("catalogue", "plansearch"),
        "sandbox": "local",
        "repo": "github.com/acme/project",
    }
    return RunRecord(**(fields | changes))


def a_target(**changes: Any) -> TargetRecord:
    fields: dict[str, Any] = {
        "id": "target-1",
        "run_id": "run-1",
        "file": "pkg/mod.py",
        "qualname": "Thing.slow",
        "kind": "method",
    }
    return TargetRecord(**(fields | changes))


def a_candidate(**changes: Any) -> CandidateRecord:
    fields: dict[str, Any] = {
        "id": "cand-1",
        "target_id": "target-1",
        "source_hash": "sha256:aaa",
        "source": "def slow(self):\n    return sum(self.xs)\n",
        "strategy": "catalogue",
        "rules": ("sum-builtin",),
        "provenance": {"prompt": "plan@1", "tokens": 12, "nested": {"ok": True}},
    }
    return CandidateRecord(**(fields | changes))


def a_verdict(**changes: Any) -> VerdictRecord:
    fields: dict[str, Any] = {
        "candidate_id": "cand-1",
        "verdict": "equivalent",
        "detail": "",
        "checked": {"examples": 200, "edge": 12},
    }
    return VerdictRecord(**(fields | changes))


def a_measurement(**changes: Any) -> MeasurementRecord:
    fields: dict[str, Any] = {
        "candidate_id": "cand-1",
        "speedup": 3.25,
        "ci_low": 2.9,
        "ci_high": 3.6,
        "samples": 30,
        "original_s": 0.0123,
        "candidate_s": 0.0038,
        "accepted": True,
    }
    return MeasurementRecord(**(fields | changes))


def a_sample(**changes: Any) -> Sample:
    fields: dict[str, Any] = {
        "wall_s": 0.0123,
        "cpu_s": 0.0119,
        "repeats": 9,
        "warmups": ((1, 0.015), (1, 0.0121)),
        "blocks": ((5, 0.0124, 0.012), (4, 0.0122, 0.0118)),
        "voluntary_switches": 0,
        "threads": 1,
        "involuntary_switches": 3,
        "cpu": 1,
        "load_avg": 1.25,
    }
    return Sample(**(fields | changes))


def a_machine(**changes: Any) -> Machine:
    fields: dict[str, Any] = {
        "cpu_model": "AMD EPYC",
        "cpu_count": 2,
        "usable_cpus": 2,
        "python_version": "3.11.7",
        "python_implementation": "cpython",
        "platform": "Linux-6.1-x86_64",
        "affinity": "both halves of each pair on one CPU (CPUs 0, 1)",
    }
    return Machine(**(fields | changes))


def a_measurement_with_samples(**changes: Any) -> MeasurementRecord:
    """Two pairs, one run original-first on CPU 0, one candidate-first by wall time (a thread)."""
    pairs = (
        Pair(a_sample(cpu=0), a_sample(wall_s=0.004, cpu_s=0.0038, cpu=0), "original"),
        Pair(a_sample(), a_sample(wall_s=0.005, cpu_s=0.0041, threads=2), "candidate"),
    )
    return a_measurement(**({"samples": 2, "pairs": pairs, "machine": a_machine()} | changes))


def an_edit(**changes: Any) -> AcceptedEdit:
    fields: dict[str, Any] = {
        "id": "edit-1",
        "run_id": "run-1",
        "target_id": "target-1",
        "candidate_id": "cand-1",
        "repo": "github.com/acme/project",
        "file": "pkg/mod.py",
        "qualname": "Thing.slow",
        "original_source": "def slow(self):\n    t = 0\n    for x in self.xs:\n        t += x\n    return t\n",
        "optimized_source": "def slow(self):\n    return sum(self.xs)\n",
        "diff": "--- a\n+++ b\n",
        "speedup": 3.25,
        "ci_low": 2.9,
        "ci_high": 3.6,
        "strategy": "catalogue",
        "rules": ("sum-builtin",),
        "created_at": T0,
        "evidence": {"verdict": "equivalent", "samples": [1, 2, 3]},
    }
    return AcceptedEdit(**(fields | changes))


def record_chain(store: EditStore, suffix: str = "1", **edit_changes: Any) -> AcceptedEdit:
    """Record run, target and candidate `*-<suffix>` and an accepted edit over them; return the edit."""
    run_id, target_id, cand_id = f"run-{suffix}", f"target-{suffix}", f"cand-{suffix}"
    store.record_run(a_run(id=run_id))
    store.record_target(a_target(id=target_id, run_id=run_id))
    store.record_candidate(a_candidate(id=cand_id, target_id=target_id))
    edit = an_edit(id=f"edit-{suffix}", run_id=run_id, target_id=target_id, candidate_id=cand_id)
    edit = dataclasses.replace(edit, **edit_changes)
    store.record_accepted_edit(edit)
    return edit
