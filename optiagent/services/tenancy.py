"""A tenant's view of the history store, for the service's workers.

Every job runs with its tenant's view: accepted edits are recorded as the tenant's, prompts learn
only from the tenant's own edits (unless the operator shares them), and the verdict cache is the
tenant's own (another tenant cannot plant an "equivalent" verdict that this one would trust).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

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
from optiagent.ports.store import EditStore

ARCHIVE_PREFIX = "archive:"


def archive_identity(tenant: str, name: str) -> str:
    """The history identity of an uploaded archive: the tenant's namespace, then the client's name
    (which can therefore never be another tenant's repository)."""
    bare = name.strip().removeprefix(ARCHIVE_PREFIX).strip() or "upload"
    return f"{ARCHIVE_PREFIX}{tenant}/{bare[:200]}"


def tenant_verdict_key(tenant: str, key: VerdictCacheKey) -> VerdictCacheKey:
    scoped = hashlib.sha256(f"{tenant}\0{key.inputs_hash}".encode()).hexdigest()
    return VerdictCacheKey(source_hash=key.source_hash, inputs_hash=scoped)


class TenantEditStore:
    """The EditStore as one tenant sees it (writes stamped, reads filtered, cache keys scoped)."""

    def __init__(self, inner: EditStore, tenant: str, share_edits: bool = False) -> None:
        self.inner, self.tenant, self.share_edits = inner, tenant, share_edits

    def record_accepted_edit(self, edit: AcceptedEdit) -> None:
        self.inner.record_accepted_edit(replace(edit, tenant=self.tenant))

    def accepted_edits(
        self, repo: str | None = None, since: datetime | None = None, tenant: str | None = None
    ) -> list[AcceptedEdit]:
        """The tenant's own edits (every tenant's when the operator shares them); `tenant` is ignored:
        a tenant's view cannot be widened by its caller."""
        return self.inner.accepted_edits(repo, since, None if self.share_edits else self.tenant)

    def get_cached_verdict(self, key: VerdictCacheKey) -> CachedVerdict | None:
        entry = self.inner.get_cached_verdict(tenant_verdict_key(self.tenant, key))
        return None if entry is None else replace(entry, key=key)

    def put_cached_verdict(self, entry: CachedVerdict) -> None:
        self.inner.put_cached_verdict(replace(entry, key=tenant_verdict_key(self.tenant, entry.key)))

    # -- the rest is the tenant's by its ids (a run's id is the tenant's job id) ------------------

    def record_run(self, run: RunRecord) -> None:
        self.inner.record_run(run)

    def finish_run(self, run_id: str, finished_at: datetime, summary: Mapping[str, object]) -> None:
        self.inner.finish_run(run_id, finished_at, summary)

    def record_target(self, target: TargetRecord) -> None:
        self.inner.record_target(target)

    def update_target(self, target_id: str, status: str, reason: str) -> None:
        self.inner.update_target(target_id, status, reason)

    def record_candidate(self, candidate: CandidateRecord) -> None:
        self.inner.record_candidate(candidate)

    def record_verdict(self, verdict: VerdictRecord) -> None:
        self.inner.record_verdict(verdict)

    def record_measurement(self, measurement: MeasurementRecord) -> None:
        self.inner.record_measurement(measurement)

    def mark_applied(self, edit_id: str) -> None:
        self.inner.mark_applied(edit_id)

    def get_run(self, run_id: str) -> RunRecord | None:
        return self.inner.get_run(run_id)

    def get_target(self, target_id: str) -> TargetRecord | None:
        return self.inner.get_target(target_id)

    def targets(self, run_id: str) -> list[TargetRecord]:
        return self.inner.targets(run_id)

    def candidates(self, target_id: str) -> list[CandidateRecord]:
        return self.inner.candidates(target_id)

    def get_verdict(self, candidate_id: str) -> VerdictRecord | None:
        return self.inner.get_verdict(candidate_id)

    def get_measurement(self, candidate_id: str) -> MeasurementRecord | None:
        return self.inner.get_measurement(candidate_id)

    def close(self) -> None:
        self.inner.close()
