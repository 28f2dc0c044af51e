"""SqlJobStore: the JobStore on SQLAlchemy 2 (Postgres in production, SQLite for one machine).

A claim is one transaction that locks the step's row (SELECT ... FOR UPDATE on Postgres, the
database write lock on SQLite), so two workers never both claim a live step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, create_engine, func, insert, or_, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from optiagent.adapters.store.engine import CONNECT_TIMEOUT_S, create_store_engine
from optiagent.adapters.store.errors import translate_store_errors
from optiagent.adapters.store.job_models import ApiTokenRow, JobArchiveRow, JobRow, JobTargetRow
from optiagent.adapters.store.migrate import upgrade_engine
from optiagent.adapters.store.normalize import json_copy
from optiagent.adapters.store.upsert import insert_for, require_supported
from optiagent.domain.jobs import (
    ApiToken,
    Claim,
    ClaimState,
    Job,
    JobSpec,
    JobStatus,
    PlannedTarget,
    StalledWork,
)

PENDING, RUNNING, DONE = "pending", "running", "done"
ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


def _now() -> datetime:
    return datetime.now(UTC)


def _job(row: Any) -> Job:
    return Job(
        id=row.id,
        status=JobStatus(row.status),
        spec=JobSpec.from_json(row.spec),
        created_at=row.created_at,
        token_id=row.token_id,
        idempotency_key=row.idempotency_key,
        started_at=row.started_at,
        finished_at=row.finished_at,
        targets_total=row.targets_total,
        targets_done=row.targets_done,
        error=row.error,
        tenant=row.tenant,
    )


JOB_COLUMNS = [
    JobRow.id,
    JobRow.status,
    JobRow.spec,
    JobRow.created_at,
    JobRow.token_id,
    JobRow.idempotency_key,
    JobRow.started_at,
    JobRow.finished_at,
    JobRow.targets_total,
    JobRow.targets_done,
    JobRow.error,
    JobRow.tenant,
]


# Built once: status reads are the API's hot path.
GET_JOB = select(*JOB_COLUMNS).where(JobRow.id == bindparam("job_id"))


class SqlJobStore:
    def __init__(self, url: str, *, auto_migrate: bool = True) -> None:
        self._url = url
        with translate_store_errors(url, "opening"):
            self._engine = _engine(url)
            # Reads in autocommit: one round trip per query instead of BEGIN, SELECT, ROLLBACK.
            self._reads = (
                _engine(url, autocommit=True) if self._engine.dialect.name == "postgresql" else self._engine
            )
            require_supported(self._engine.dialect.name)
            if auto_migrate:
                upgrade_engine(self._engine)

    def close(self) -> None:
        self._engine.dispose()
        self._reads.dispose()

    # -- jobs --------------------------------------------------------------------------------

    def create_job(self, job: Job, archive: bytes | None) -> Job:
        now = _now()
        values = {
            "id": job.id,
            "status": job.status.value,
            "spec": json_copy(job.spec.to_json()),
            "token_id": job.token_id,
            "tenant": job.tenant,
            "idempotency_key": job.idempotency_key,
            "created_at": job.created_at,
            "updated_at": now,
            "targets_done": 0,
            "error": "",
            "prepare_state": PENDING,
            "prepare_attempts": 0,
            "enqueued_at": now,
        }
        try:
            with self._write("creating a job") as connection:
                connection.execute(insert(JobRow).values(values))
                if archive is not None:
                    connection.execute(insert(JobArchiveRow).values(job_id=job.id, data=archive))
        except IntegrityError:
            existing = self._by_idempotency_key(job.token_id, job.idempotency_key)
            if existing is None:
                raise
            return existing
        created = self.get_job(job.id)
        assert created is not None
        return created

    def _by_idempotency_key(self, token_id: str | None, key: str | None) -> Job | None:
        if key is None:
            return None
        query = select(*JOB_COLUMNS).where(JobRow.token_id == token_id, JobRow.idempotency_key == key)
        with self._connect("reading a job") as connection:
            row = connection.execute(query).first()
        return None if row is None else _job(row)

    def get_job(self, job_id: str) -> Job | None:
        with self._connect("reading a job") as connection:
            row = connection.execute(GET_JOB, {"job_id": job_id}).first()
        return None if row is None else _job(row)

    def jobs_of(self, tenant: str, limit: int) -> list[Job]:
        query = (
            select(*JOB_COLUMNS)
            .where(JobRow.tenant == tenant)
            .order_by(JobRow.created_at.desc(), JobRow.id)
            .limit(limit)
        )
        with self._connect("listing jobs") as connection:
            return [_job(row) for row in connection.execute(query)]

    def archive(self, job_id: str) -> bytes | None:
        with self._connect("reading an archive") as connection:
            data = connection.scalar(select(JobArchiveRow.data).where(JobArchiveRow.job_id == job_id))
        return None if data is None else bytes(data)

    def save_archive(self, job_id: str, data: bytes) -> None:
        stmt = insert_for(self._engine.dialect.name, JobArchiveRow).values(job_id=job_id, data=data)
        with self._write("saving an archive") as connection:
            connection.execute(stmt.on_conflict_do_nothing())  # the first checkout wins; all agree

    def claim_prepare(self, job_id: str, owner: str, lease_s: float, max_deaths: int) -> Claim:
        now = _now()
        with self._write("claiming a job") as connection:
            row = connection.execute(
                select(JobRow.status, JobRow.prepare_state, JobRow.prepare_attempts, JobRow.heartbeat_at)
                .where(JobRow.id == job_id)
                .with_for_update()
            ).first()
            if row is None:
                raise KeyError(f"no job with id {job_id!r}")
            if JobStatus(row.status).terminal:
                return Claim(ClaimState.STOPPED, row.prepare_attempts)
            if row.prepare_state == DONE:
                return Claim(ClaimState.DONE, row.prepare_attempts)
            if row.prepare_state == RUNNING and _alive(row.heartbeat_at, now, lease_s):
                return Claim(ClaimState.BUSY, row.prepare_attempts)
            if row.prepare_attempts > max_deaths:
                self._fail(
                    connection, job_id, _died("preparing the job", row.prepare_attempts, max_deaths), now
                )
                return Claim(ClaimState.EXHAUSTED, row.prepare_attempts)
            attempts = row.prepare_attempts + 1
            connection.execute(
                update(JobRow)
                .where(JobRow.id == job_id)
                .values(
                    status=JobStatus.RUNNING.value,
                    started_at=func.coalesce(JobRow.started_at, now),
                    updated_at=now,
                    prepare_state=RUNNING,
                    prepare_attempts=attempts,
                    prepare_owner=owner,
                    heartbeat_at=now,
                )
            )
            return Claim(ClaimState.CLAIMED, attempts)

    def heartbeat_prepare(self, job_id: str, owner: str) -> None:
        with self._write("heartbeat") as connection:
            connection.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.prepare_owner == owner, JobRow.prepare_state == RUNNING)
                .values(heartbeat_at=_now())
            )

    def save_plan(self, job_id: str, plan: Mapping[str, object], targets: Sequence[PlannedTarget]) -> None:
        now = _now()
        dialect = self._engine.dialect.name
        with self._write("saving a plan") as connection:
            for target in targets:
                stmt = insert_for(dialect, JobTargetRow).values(
                    job_id=job_id,
                    idx=target.index,
                    label=target.label,
                    payload=json_copy(target.payload),
                    state=PENDING,
                    attempts=0,
                    enqueued_at=now,
                )
                connection.execute(stmt.on_conflict_do_nothing())
            connection.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.prepare_state != DONE)
                .values(plan=json_copy(plan), targets_total=len(targets), prepare_state=DONE, updated_at=now)
            )

    def plan(self, job_id: str) -> Mapping[str, object] | None:
        with self._connect("reading a plan") as connection:
            value = connection.scalar(select(JobRow.plan).where(JobRow.id == job_id))
        return value if isinstance(value, dict) else None

    # -- targets -----------------------------------------------------------------------------

    def claim_target(self, job_id: str, index: int, owner: str, lease_s: float, max_deaths: int) -> Claim:
        now = _now()
        with self._write("claiming a target") as connection:
            status = connection.scalar(select(JobRow.status).where(JobRow.id == job_id))
            row = connection.execute(
                select(
                    JobTargetRow.state, JobTargetRow.attempts, JobTargetRow.heartbeat_at, JobTargetRow.label
                )
                .where(JobTargetRow.job_id == job_id, JobTargetRow.idx == index)
                .with_for_update()
            ).first()
            if status is None or row is None:
                raise KeyError(f"no target {index} in job {job_id!r}")
            if row.state == DONE:
                return Claim(ClaimState.DONE, row.attempts)
            if JobStatus(status).terminal:
                return Claim(ClaimState.STOPPED, row.attempts)
            if row.state == RUNNING and _alive(row.heartbeat_at, now, lease_s):
                return Claim(ClaimState.BUSY, row.attempts)
            if row.attempts > max_deaths:
                self._fail(connection, job_id, _died(f"running {row.label}", row.attempts, max_deaths), now)
                return Claim(ClaimState.EXHAUSTED, row.attempts)
            attempts = row.attempts + 1
            connection.execute(
                update(JobTargetRow)
                .where(JobTargetRow.job_id == job_id, JobTargetRow.idx == index)
                .values(state=RUNNING, attempts=attempts, owner=owner, heartbeat_at=now)
            )
            return Claim(ClaimState.CLAIMED, attempts)

    def heartbeat_target(self, job_id: str, index: int, owner: str) -> None:
        with self._write("heartbeat") as connection:
            connection.execute(
                update(JobTargetRow)
                .where(
                    JobTargetRow.job_id == job_id,
                    JobTargetRow.idx == index,
                    JobTargetRow.owner == owner,
                    JobTargetRow.state == RUNNING,
                )
                .values(heartbeat_at=_now())
            )

    def target(self, job_id: str, index: int) -> PlannedTarget | None:
        query = select(JobTargetRow.label, JobTargetRow.payload).where(
            JobTargetRow.job_id == job_id, JobTargetRow.idx == index
        )
        with self._connect("reading a target") as connection:
            row = connection.execute(query).first()
        return None if row is None else PlannedTarget(index, row.label, row.payload)

    def finish_target(self, job_id: str, index: int, owner: str, result: Mapping[str, object]) -> bool:
        """Records the result when `owner` still holds the target: a worker whose lease lapsed and
        whose target another worker re-claimed must not overwrite it. True when recorded."""
        with self._write("finishing a target") as connection:
            changed = connection.execute(
                update(JobTargetRow)
                .where(
                    JobTargetRow.job_id == job_id,
                    JobTargetRow.idx == index,
                    JobTargetRow.state == RUNNING,
                    JobTargetRow.owner == owner,
                )
                .values(state=DONE, result=json_copy(result), heartbeat_at=None)
            ).rowcount
            if changed:
                connection.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id)
                    .values(targets_done=JobRow.targets_done + 1, updated_at=_now())
                )
        return bool(changed)

    def release_target(self, job_id: str, index: int, owner: str) -> None:
        """Hands a target back unfinished and uncounted (its worker lost its sandbox, not its life)."""
        with self._write("releasing a target") as connection:
            connection.execute(
                update(JobTargetRow)
                .where(
                    JobTargetRow.job_id == job_id,
                    JobTargetRow.idx == index,
                    JobTargetRow.state == RUNNING,
                    JobTargetRow.owner == owner,
                )
                .values(state=PENDING, attempts=JobTargetRow.attempts - 1, owner=None, heartbeat_at=None)
            )

    def release_prepare(self, job_id: str, owner: str) -> None:
        with self._write("releasing a job") as connection:
            connection.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.prepare_state == RUNNING, JobRow.prepare_owner == owner)
                .values(
                    prepare_state=PENDING,
                    prepare_attempts=JobRow.prepare_attempts - 1,
                    prepare_owner=None,
                    heartbeat_at=None,
                )
            )

    def pending_targets(self, job_id: str) -> list[int]:
        query = (
            select(JobTargetRow.idx)
            .where(JobTargetRow.job_id == job_id, JobTargetRow.state == PENDING)
            .order_by(JobTargetRow.idx)
        )
        with self._connect("reading targets") as connection:
            return list(connection.scalars(query))

    def target_results(self, job_id: str) -> list[Mapping[str, object]]:
        query = select(JobTargetRow.result).where(JobTargetRow.job_id == job_id).order_by(JobTargetRow.idx)
        with self._connect("reading target results") as connection:
            return [result or {} for result in connection.scalars(query)]

    def mark_enqueued(self, job_id: str, step: str, index: int = -1) -> None:
        now = _now()
        with self._write("marking work enqueued") as connection:
            if step == "target":
                connection.execute(
                    update(JobTargetRow)
                    .where(JobTargetRow.job_id == job_id, JobTargetRow.idx == index)
                    .values(enqueued_at=now)
                )
            else:
                connection.execute(update(JobRow).where(JobRow.id == job_id).values(enqueued_at=now))

    # -- ends --------------------------------------------------------------------------------

    def finish_job(
        self, job_id: str, status: JobStatus, report: Mapping[str, object] | None, error: str = ""
    ) -> bool:
        now = _now()
        with self._write("finishing a job") as connection:
            return bool(
                connection.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
                    .values(
                        status=status.value,
                        report=None if report is None else json_copy(report),
                        error=error[:4000],
                        finished_at=now,
                        updated_at=now,
                    )
                ).rowcount
            )

    def cancel_job(self, job_id: str) -> Job | None:
        self.finish_job(job_id, JobStatus.CANCELLED, None, "cancelled on request")
        return self.get_job(job_id)

    def report(self, job_id: str) -> Mapping[str, object] | None:
        with self._connect("reading a report") as connection:
            value = connection.scalar(select(JobRow.report).where(JobRow.id == job_id))
        return value if isinstance(value, dict) else None

    def stalled_work(self, requeue_after_s: float, lease_s: float) -> list[StalledWork]:
        """Work to send again. A step whose lease lapsed lost its worker: it is re-sent at once
        (at most once per lease period, in case the re-sent message waits behind others). An
        unclaimed step may only be queued behind others: it is re-sent after `requeue_after_s`."""
        now = _now()
        waited = now - timedelta(seconds=requeue_after_s)
        dead = now - timedelta(seconds=lease_s)
        prepare = select(JobRow.id).where(
            JobRow.status.in_(ACTIVE),
            or_(
                and_(JobRow.prepare_state == PENDING, JobRow.enqueued_at < waited),
                and_(JobRow.prepare_state == RUNNING, JobRow.heartbeat_at < dead, JobRow.enqueued_at < dead),
            ),
        )
        targets = (
            select(JobTargetRow.job_id, JobTargetRow.idx)
            .join(JobRow, JobRow.id == JobTargetRow.job_id)
            .where(
                JobRow.status.in_(ACTIVE),
                or_(
                    and_(JobTargetRow.state == PENDING, JobTargetRow.enqueued_at < waited),
                    and_(
                        JobTargetRow.state == RUNNING,
                        JobTargetRow.heartbeat_at < dead,
                        JobTargetRow.enqueued_at < dead,
                    ),
                ),
            )
        )
        # Finishing holds no lease; it is short, so one not done after two lease periods was lost.
        lost = max(waited, now - timedelta(seconds=2 * lease_s))
        finalize = select(JobRow.id).where(
            JobRow.status.in_(ACTIVE),
            JobRow.prepare_state == DONE,
            JobRow.targets_done == JobRow.targets_total,
            JobRow.updated_at < lost,
            JobRow.enqueued_at < lost,
        )
        with self._connect("looking for stalled work") as connection:
            found = [StalledWork(job_id, "prepare") for job_id in connection.scalars(prepare)]
            found += [StalledWork(row.job_id, "target", row.idx) for row in connection.execute(targets)]
            found += [StalledWork(job_id, "finalize") for job_id in connection.scalars(finalize)]
        return found

    def terminal_jobs(self, job_ids: Sequence[str]) -> set[str]:
        query = select(JobRow.id).where(JobRow.id.in_(list(job_ids)), JobRow.status.not_in(ACTIVE))
        with self._connect("reading jobs") as connection:
            return set(connection.scalars(query))

    # -- tokens ------------------------------------------------------------------------------

    def create_token(self, token: ApiToken, token_hash: str) -> None:
        with self._write("creating a token") as connection:
            connection.execute(
                insert(ApiTokenRow).values(
                    id=token.id,
                    name=token.name,
                    token_hash=token_hash,
                    created_at=token.created_at,
                    tenant=token.tenant,
                    expires_at=token.expires_at,
                    revoked_at=token.revoked_at,
                )
            )

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        query = select(*TOKEN_COLUMNS).where(ApiTokenRow.token_hash == token_hash)
        with self._connect("checking a token") as connection:
            row = connection.execute(query).first()
        return None if row is None else _token(row)

    def tokens(self) -> list[ApiToken]:
        query = select(*TOKEN_COLUMNS).order_by(ApiTokenRow.tenant, ApiTokenRow.created_at)
        with self._connect("listing tokens") as connection:
            return [_token(row) for row in connection.execute(query)]

    def revoke_token(self, token_id: str, when: datetime) -> ApiToken | None:
        with self._write("revoking a token") as connection:
            connection.execute(
                update(ApiTokenRow)
                .where(ApiTokenRow.id == token_id, ApiTokenRow.revoked_at.is_(None))
                .values(revoked_at=when)
            )
            row = connection.execute(select(*TOKEN_COLUMNS).where(ApiTokenRow.id == token_id)).first()
        return None if row is None else _token(row)

    # -- plumbing ----------------------------------------------------------------------------

    @staticmethod
    def _fail(connection: Connection, job_id: str, reason: str, now: datetime) -> None:
        connection.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
            .values(status=JobStatus.FAILED.value, error=reason, finished_at=now, updated_at=now)
        )

    @contextmanager
    def _write(self, action: str) -> Iterator[Connection]:
        with translate_store_errors(self._url, action), self._engine.begin() as connection:
            yield connection

    @contextmanager
    def _connect(self, action: str) -> Iterator[Connection]:
        with translate_store_errors(self._url, action), self._reads.connect() as connection:
            yield connection


def _engine(url: str, *, autocommit: bool = False) -> Engine:
    """Postgres without a ping per checkout (status reads are the API's hot path): a connection
    broken by a restart fails one call, which the caller retries, and the pool is then refreshed."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return create_store_engine(url)
    return create_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_recycle=600,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
        isolation_level="AUTOCOMMIT" if autocommit else "READ COMMITTED",
        pool_reset_on_return=None if autocommit else "rollback",  # nothing to roll back
    )


TOKEN_COLUMNS = [
    ApiTokenRow.id,
    ApiTokenRow.name,
    ApiTokenRow.created_at,
    ApiTokenRow.tenant,
    ApiTokenRow.expires_at,
    ApiTokenRow.revoked_at,
]


def _token(row: Any) -> ApiToken:
    created = _utc(row.created_at)
    assert created is not None
    return ApiToken(row.id, row.name, created, row.tenant, _utc(row.expires_at), _utc(row.revoked_at))


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _died(step: str, deaths: int, limit: int) -> str:
    return f"workers died {deaths} time(s) {step}, more than the limit of {limit}"


def _alive(heartbeat_at: datetime | None, now: datetime, lease_s: float) -> bool:
    if heartbeat_at is None:
        return False
    beat = heartbeat_at if heartbeat_at.tzinfo else heartbeat_at.replace(tzinfo=UTC)
    return (now - beat).total_seconds() < lease_s


class AsyncJobReader:
    """Job status reads for the API's event loop (Postgres, asyncio driver): no thread hop per
    request, which is most of a status request's latency on a busy machine."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._engine = create_async_engine(
            url,
            pool_size=10,
            max_overflow=20,
            pool_recycle=600,
            isolation_level="AUTOCOMMIT",
            pool_reset_on_return=None,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
        )

    @staticmethod
    def supports(url: str) -> bool:
        return make_url(url).get_backend_name() == "postgresql"

    async def get_job(self, job_id: str) -> Job | None:
        with translate_store_errors(self._url, "reading a job"):
            async with self._engine.connect() as connection:
                row = (await connection.execute(GET_JOB, {"job_id": job_id})).first()
        return None if row is None else _job(row)

    async def close(self) -> None:
        await self._engine.dispose()
