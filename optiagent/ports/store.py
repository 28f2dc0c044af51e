"""The EditStore port: the memory of every run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from optiagent.domain.history import (
    AcceptedEdit,
    CandidateRecord,
    MeasurementRecord,
    RunRecord,
    TargetRecord,
    VerdictRecord,
)


class EditStore(Protocol):
    """Writes are idempotent upserts keyed by ids; readers see only committed data."""

    def record_run(self, run: RunRecord) -> None: ...

    def finish_run(self, run_id: str, finished_at: datetime, summary: Mapping[str, object]) -> None: ...

    def record_target(self, target: TargetRecord) -> None: ...

    def update_target(self, target_id: str, status: str, reason: str) -> None: ...

    def record_candidate(self, candidate: CandidateRecord) -> None: ...

    def record_verdict(self, verdict: VerdictRecord) -> None: ...

    def record_measurement(self, measurement: MeasurementRecord) -> None: ...

    def record_accepted_edit(self, edit: AcceptedEdit) -> None: ...

    def mark_applied(self, edit_id: str) -> None: ...

    def accepted_edits(self, repo: str | None = None, since: datetime | None = None) -> list[AcceptedEdit]: ...

    def close(self) -> None: ...


class StoreUnavailableError(RuntimeError):
    """The database cannot be reached or migrated."""
