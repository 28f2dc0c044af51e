"""InMemoryEditStore: the shipped fake EditStore, with the same semantics as SqlEditStore."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from optiagent.adapters.store.normalize import json_copy, to_utc
from optiagent.domain.history import (
    AcceptedEdit,
    CachedVerdict,
    CandidateRecord,
    MeasurementRecord,
    RunRecord,
    TargetRecord,
    VerdictCacheKey,
    VerdictRecord,
)

T = TypeVar("T")


class InMemoryEditStore:
    """History in dictionaries guarded by one lock; thread-safe, lost on exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, RunRecord] = {}
        self._targets: dict[str, TargetRecord] = {}
        self._candidates: dict[str, CandidateRecord] = {}
        self._verdicts: dict[str, VerdictRecord] = {}
        self._measurements: dict[str, MeasurementRecord] = {}
        self._edits: dict[str, AcceptedEdit] = {}  # by target id: one accepted edit per target
        self._cache: dict[VerdictCacheKey, CachedVerdict] = {}

    def close(self) -> None:
        """Nothing to release; the data stays readable."""

    # -- writes ------------------------------------------------------------------------------

    def record_run(self, run: RunRecord) -> None:
        finished = None if run.finished_at is None else to_utc(run.finished_at, "finished_at")
        new = dataclasses.replace(
            run,
            started_at=to_utc(run.started_at, "started_at"),
            finished_at=finished,
            strategies=tuple(run.strategies),
            summary=json_copy(run.summary),
        )
        with self._lock:
            old = self._runs.get(run.id)
            if old is not None:  # refresh the description, keep the outcome
                new = dataclasses.replace(new, finished_at=old.finished_at, summary=old.summary)
            self._runs[run.id] = new

    def finish_run(self, run_id: str, finished_at: datetime, summary: Mapping[str, object]) -> None:
        finished, copied = to_utc(finished_at, "finished_at"), json_copy(summary)
        with self._lock:
            run = self._existing(self._runs, run_id, "run")
            self._runs[run_id] = dataclasses.replace(run, finished_at=finished, summary=copied)

    def record_target(self, target: TargetRecord) -> None:
        with self._lock:
            self._require(self._runs, target.run_id, f"target {target.id!r} refers to run")
            old = self._targets.get(target.id)
            if old is not None:
                target = dataclasses.replace(target, status=old.status, reason=old.reason)
            self._targets[target.id] = target

    def update_target(self, target_id: str, status: str, reason: str) -> None:
        with self._lock:
            target = self._existing(self._targets, target_id, "target")
            self._targets[target_id] = dataclasses.replace(target, status=status, reason=reason)

    def record_candidate(self, candidate: CandidateRecord) -> None:
        new = dataclasses.replace(
            candidate, rules=tuple(candidate.rules), provenance=json_copy(candidate.provenance)
        )
        with self._lock:
            self._require(self._targets, candidate.target_id, f"candidate {candidate.id!r} refers to target")
            same_source = any(
                (c.target_id, c.source_hash) == (candidate.target_id, candidate.source_hash)
                for c in self._candidates.values()
            )
            if candidate.id not in self._candidates and not same_source:
                self._candidates[candidate.id] = new

    def record_verdict(self, verdict: VerdictRecord) -> None:
        new = dataclasses.replace(verdict, checked=json_copy(verdict.checked))
        with self._lock:
            self._require(self._candidates, verdict.candidate_id, "verdict refers to candidate")
            self._verdicts[verdict.candidate_id] = new

    def record_measurement(self, measurement: MeasurementRecord) -> None:
        with self._lock:
            self._require(self._candidates, measurement.candidate_id, "measurement refers to candidate")
            self._measurements[measurement.candidate_id] = measurement

    def record_accepted_edit(self, edit: AcceptedEdit) -> None:
        new = dataclasses.replace(
            edit,
            created_at=to_utc(edit.created_at, "created_at"),
            rules=tuple(edit.rules),
            evidence=json_copy(edit.evidence),
        )
        where = f"edit {edit.id!r} refers to"
        with self._lock:
            self._require(self._runs, edit.run_id, f"{where} run")
            self._require(self._targets, edit.target_id, f"{where} target")
            self._require(self._candidates, edit.candidate_id, f"{where} candidate")
            old = self._edits.get(edit.target_id)
            if old is not None and old.id == edit.id and old.applied:  # the same edit stays applied
                new = dataclasses.replace(new, applied=True)
            self._edits[edit.target_id] = new

    def mark_applied(self, edit_id: str) -> None:
        with self._lock:
            for target_id, edit in self._edits.items():
                if edit.id == edit_id:
                    self._edits[target_id] = dataclasses.replace(edit, applied=True)
                    return
        raise KeyError(f"no accepted edit with id {edit_id!r}")

    def put_cached_verdict(self, entry: CachedVerdict) -> None:
        new = dataclasses.replace(entry, checked=json_copy(entry.checked))
        with self._lock:
            self._cache[entry.key] = new

    # -- reads -------------------------------------------------------------------------------

    def get_run(self, run_id: str) -> RunRecord | None:
        with self._lock:
            return self._runs.get(run_id)

    def get_target(self, target_id: str) -> TargetRecord | None:
        with self._lock:
            return self._targets.get(target_id)

    def targets(self, run_id: str) -> list[TargetRecord]:
        with self._lock:
            found = [t for t in self._targets.values() if t.run_id == run_id]
        return sorted(found, key=lambda t: t.id)

    def candidates(self, target_id: str) -> list[CandidateRecord]:
        with self._lock:
            found = [c for c in self._candidates.values() if c.target_id == target_id]
        return sorted(found, key=lambda c: c.id)

    def get_verdict(self, candidate_id: str) -> VerdictRecord | None:
        with self._lock:
            return self._verdicts.get(candidate_id)

    def get_measurement(self, candidate_id: str) -> MeasurementRecord | None:
        with self._lock:
            return self._measurements.get(candidate_id)

    def accepted_edits(
        self, repo: str | None = None, since: datetime | None = None, tenant: str | None = None
    ) -> list[AcceptedEdit]:
        start = None if since is None else to_utc(since, "since")
        with self._lock:
            edits = list(self._edits.values())
        chosen = [
            e
            for e in edits
            if (repo is None or e.repo == repo)
            and (start is None or e.created_at >= start)
            and (tenant is None or e.tenant == tenant)
        ]
        return sorted(chosen, key=lambda e: (e.created_at, e.id))

    def get_cached_verdict(self, key: VerdictCacheKey) -> CachedVerdict | None:
        with self._lock:
            return self._cache.get(key)

    # -- plumbing ----------------------------------------------------------------------------

    @staticmethod
    def _require(table: Mapping[str, object], key: str, where: str) -> None:
        if key not in table:
            raise KeyError(f"{where} {key!r}, which is not recorded")

    @staticmethod
    def _existing(table: Mapping[str, T], key: str, what: str) -> T:
        if key not in table:
            raise KeyError(f"no {what} with id {key!r}")
        return table[key]
