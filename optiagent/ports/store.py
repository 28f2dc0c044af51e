"""The EditStore port: the memory of every run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

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


class EditStore(Protocol):
    """Writes are idempotent upserts keyed by ids; readers see only committed data.

    Re-recording an id refreshes its descriptive fields but never rolls progress back: a run's
    finished_at/summary, a target's status/reason and an edit's applied flag change only through
    finish_run, update_target and mark_applied. A candidate is immutable and unique per
    (target_id, source_hash); one accepted edit per target (a newer one replaces it). Updating or
    referring to an unknown id raises KeyError; naive datetimes raise ValueError.
    """

    def record_run(self, run: RunRecord) -> None: ...

    def finish_run(self, run_id: str, finished_at: datetime, summary: Mapping[str, object]) -> None: ...

    def record_target(self, target: TargetRecord) -> None: ...

    def update_target(self, target_id: str, status: str, reason: str) -> None: ...

    def record_candidate(self, candidate: CandidateRecord) -> None: ...

    def record_verdict(self, verdict: VerdictRecord) -> None: ...

    def record_measurement(self, measurement: MeasurementRecord) -> None: ...

    def record_accepted_edit(self, edit: AcceptedEdit) -> None: ...

    def mark_applied(self, edit_id: str) -> None: ...

    def accepted_edits(
        self, repo: str | None = None, since: datetime | None = None, tenant: str | None = None
    ) -> list[AcceptedEdit]:
        """Oldest first; only `repo`'s, only from `since`, only `tenant`'s when given."""
        ...

    def get_run(self, run_id: str) -> RunRecord | None: ...

    def get_target(self, target_id: str) -> TargetRecord | None: ...

    def targets(self, run_id: str) -> list[TargetRecord]:
        """The run's targets, ordered by id; empty for an unknown run."""
        ...

    def candidates(self, target_id: str) -> list[CandidateRecord]: ...

    def get_verdict(self, candidate_id: str) -> VerdictRecord | None: ...

    def get_measurement(self, candidate_id: str) -> MeasurementRecord | None: ...

    def get_cached_verdict(self, key: VerdictCacheKey) -> CachedVerdict | None: ...

    def put_cached_verdict(self, entry: CachedVerdict) -> None: ...

    def close(self) -> None: ...


class StoreUnavailableError(RuntimeError):
    """The database cannot be reached or migrated."""
