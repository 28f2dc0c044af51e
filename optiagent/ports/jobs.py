"""The JobStore port (service jobs, their targets, API tokens) and the JobQueue port (worker tasks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from optiagent.domain.jobs import ApiToken, Claim, Job, JobStatus, PlannedTarget, StalledWork


class JobStore(Protocol):
    """Durable job state. Every step is claimed before it runs and claims expire without heartbeats,
    so a step whose worker died is claimed again; a step whose workers died more than
    `max_deaths` times fails its job. Finishing a step twice counts once."""

    def create_job(self, job: Job, archive: bytes | None) -> Job:
        """Inserts the job (and its archive) in one transaction; an existing job with the same
        (token_id, idempotency_key) is returned instead."""
        ...

    def get_job(self, job_id: str) -> Job | None: ...

    def archive(self, job_id: str) -> bytes | None: ...

    def save_archive(self, job_id: str, data: bytes) -> None: ...

    def claim_prepare(self, job_id: str, owner: str, lease_s: float, max_deaths: int) -> Claim: ...

    def heartbeat_prepare(self, job_id: str, owner: str) -> None: ...

    def save_plan(
        self, job_id: str, plan: Mapping[str, object], targets: Sequence[PlannedTarget]
    ) -> None: ...

    def plan(self, job_id: str) -> Mapping[str, object] | None: ...

    def claim_target(self, job_id: str, index: int, owner: str, lease_s: float, max_deaths: int) -> Claim: ...

    def heartbeat_target(self, job_id: str, index: int, owner: str) -> None: ...

    def target(self, job_id: str, index: int) -> PlannedTarget | None: ...

    def finish_target(self, job_id: str, index: int, owner: str, result: Mapping[str, object]) -> bool:
        """Records the result only while `owner` holds the target; False when it no longer does."""
        ...

    def release_target(self, job_id: str, index: int, owner: str) -> None:
        """Hands a held target back unfinished, without counting a worker death."""
        ...

    def release_prepare(self, job_id: str, owner: str) -> None: ...

    def pending_targets(self, job_id: str) -> list[int]: ...

    def target_results(self, job_id: str) -> list[Mapping[str, object]]:
        """Results of every target in index order (only meaningful once all are done)."""
        ...

    def mark_enqueued(self, job_id: str, step: str, index: int = -1) -> None: ...

    def finish_job(
        self, job_id: str, status: JobStatus, report: Mapping[str, object] | None, error: str = ""
    ) -> bool:
        """Moves a job that is not yet terminal to `status`; False when it already was."""
        ...

    def cancel_job(self, job_id: str) -> Job | None: ...

    def report(self, job_id: str) -> Mapping[str, object] | None: ...

    def stalled_work(self, requeue_after_s: float, lease_s: float) -> list[StalledWork]: ...

    def jobs_of(self, tenant: str, limit: int) -> list[Job]:
        """The tenant's newest jobs first."""
        ...

    def create_token(self, token: ApiToken, token_hash: str) -> None: ...

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        """The token, revoked or expired ones too (the caller decides)."""
        ...

    def tokens(self) -> list[ApiToken]: ...

    def revoke_token(self, token_id: str, when: datetime) -> ApiToken | None: ...

    def close(self) -> None: ...


class AsyncJobReader(Protocol):
    """Status reads from an event loop (the API's hot path)."""

    async def get_job(self, job_id: str) -> Job | None: ...


class JobQueue(Protocol):
    """Sends worker tasks; each carries only ids."""

    def prepare(self, job_id: str) -> None: ...

    def run_target(self, job_id: str, index: int) -> None: ...

    def finalize(self, job_id: str) -> None: ...
