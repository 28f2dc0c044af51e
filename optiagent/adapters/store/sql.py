"""SqlEditStore: the EditStore on SQLAlchemy 2 (SQLite by default, Postgres in production).

Each method is one short transaction; writes are INSERT ... ON CONFLICT upserts, so concurrent
workers recording the same ids never duplicate rows. Semantics are those documented on EditStore
and shared with InMemoryEditStore through tests/adapters/store.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, literal, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from optiagent.adapters.store import rows
from optiagent.adapters.store.engine import create_store_engine
from optiagent.adapters.store.errors import translate_store_errors
from optiagent.adapters.store.migrate import upgrade_engine
from optiagent.adapters.store.models import (
    AcceptedEditRow,
    CandidateRow,
    MeasurementRow,
    MeasurementSampleRow,
    RunRow,
    TargetRow,
    VerdictCacheRow,
    VerdictRow,
)
from optiagent.adapters.store.normalize import json_copy, to_utc
from optiagent.adapters.store.upsert import insert_for, require_supported
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

RUN_DESCRIPTION = ("root", "repo", "started_at", "strategies", "sandbox")
TARGET_DESCRIPTION = ("run_id", "file", "qualname", "kind")


class SqlEditStore:
    """History in a SQL database; migrates it to the newest schema on open unless auto_migrate=False."""

    def __init__(self, url: str, *, auto_migrate: bool = True) -> None:
        self._url = url
        with translate_store_errors(url, "opening"):
            self._engine = create_store_engine(url)
            require_supported(self._engine.dialect.name)
            if auto_migrate:
                upgrade_engine(self._engine)

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def close(self) -> None:
        self._engine.dispose()

    # -- writes ------------------------------------------------------------------------------

    def record_run(self, run: RunRecord) -> None:
        stmt = insert_for(self.dialect, RunRow).values(rows.run_values(run))
        stmt_ = stmt.on_conflict_do_update(
            index_elements=["id"], set_={name: stmt.excluded[name] for name in RUN_DESCRIPTION}
        )
        with self._write("recording a run") as connection:
            connection.execute(stmt_)

    def finish_run(self, run_id: str, finished_at: datetime, summary: Mapping[str, object]) -> None:
        values = {"finished_at": to_utc(finished_at, "finished_at"), "summary": json_copy(summary)}
        with self._write("finishing a run") as connection:
            self._update(connection, RunRow.id, run_id, values, "run")

    def record_target(self, target: TargetRecord) -> None:
        stmt = insert_for(self.dialect, TargetRow).values(rows.target_values(target))
        stmt_ = stmt.on_conflict_do_update(
            index_elements=["id"], set_={name: stmt.excluded[name] for name in TARGET_DESCRIPTION}
        )
        with self._write("recording a target") as connection:
            self._require(connection, RunRow.id, target.run_id, f"target {target.id!r} refers to run")
            connection.execute(stmt_)

    def update_target(self, target_id: str, status: str, reason: str) -> None:
        with self._write("updating a target") as connection:
            self._update(connection, TargetRow.id, target_id, {"status": status, "reason": reason}, "target")

    def record_candidate(self, candidate: CandidateRecord) -> None:
        stmt = insert_for(self.dialect, CandidateRow).values(rows.candidate_values(candidate))
        with self._write("recording a candidate") as connection:
            where = f"candidate {candidate.id!r} refers to target"
            self._require(connection, TargetRow.id, candidate.target_id, where)
            connection.execute(stmt.on_conflict_do_nothing())  # immutable, unique per target and source

    def record_verdict(self, verdict: VerdictRecord) -> None:
        with self._write("recording a verdict") as connection:
            self._replace_for_candidate(connection, VerdictRow, rows.verdict_values(verdict))

    def record_measurement(self, measurement: MeasurementRecord) -> None:
        """The measurement and its raw samples, replacing any recorded for the candidate."""
        values = rows.measurement_values(measurement)
        samples = rows.sample_values(measurement)
        with self._write("recording a measurement") as connection:
            self._replace_for_candidate(connection, MeasurementRow, values)
            owner = MeasurementSampleRow.candidate_id == measurement.candidate_id
            connection.execute(delete(MeasurementSampleRow).where(owner))
            if samples:
                connection.execute(insert_for(self.dialect, MeasurementSampleRow), samples)

    def record_accepted_edit(self, edit: AcceptedEdit) -> None:
        stmt = insert_for(self.dialect, AcceptedEditRow).values(rows.edit_values(edit))
        new, old = stmt.excluded, AcceptedEditRow
        replaced: dict[str, Any] = {name: new[name] for name in rows.edit_values(edit) if name != "target_id"}
        replaced["applied"] = or_(new.applied, and_(old.applied, old.id == new.id))  # same edit stays applied
        with self._write("recording an accepted edit") as connection:
            where = f"edit {edit.id!r} refers to"
            self._require(connection, RunRow.id, edit.run_id, f"{where} run")
            self._require(connection, TargetRow.id, edit.target_id, f"{where} target")
            self._require(connection, CandidateRow.id, edit.candidate_id, f"{where} candidate")
            connection.execute(stmt.on_conflict_do_update(index_elements=["target_id"], set_=replaced))

    def mark_applied(self, edit_id: str) -> None:
        with self._write("marking an edit applied") as connection:
            self._update(connection, AcceptedEditRow.id, edit_id, {"applied": True}, "accepted edit")

    def put_cached_verdict(self, entry: CachedVerdict) -> None:
        values = rows.cached_verdict_values(entry) | {"updated_at": datetime.now(UTC)}
        stmt = insert_for(self.dialect, VerdictCacheRow).values(values)
        changed = {name: stmt.excluded[name] for name in ("verdict", "detail", "checked", "updated_at")}
        with self._write("caching a verdict") as connection:
            connection.execute(
                stmt.on_conflict_do_update(index_elements=["source_hash", "inputs_hash"], set_=changed)
            )

    # -- reads -------------------------------------------------------------------------------

    def get_run(self, run_id: str) -> RunRecord | None:
        with self._read("reading a run") as session:
            row = session.get(RunRow, run_id)
            return None if row is None else rows.run_record(row)

    def get_target(self, target_id: str) -> TargetRecord | None:
        with self._read("reading a target") as session:
            row = session.get(TargetRow, target_id)
            return None if row is None else rows.target_record(row)

    def targets(self, run_id: str) -> list[TargetRecord]:
        query = select(TargetRow).where(TargetRow.run_id == run_id).order_by(TargetRow.id)
        with self._read("reading targets") as session:
            return [rows.target_record(row) for row in session.scalars(query)]

    def candidates(self, target_id: str) -> list[CandidateRecord]:
        query = select(CandidateRow).where(CandidateRow.target_id == target_id).order_by(CandidateRow.id)
        with self._read("reading candidates") as session:
            return [rows.candidate_record(row) for row in session.scalars(query)]

    def get_verdict(self, candidate_id: str) -> VerdictRecord | None:
        with self._read("reading a verdict") as session:
            row = session.get(VerdictRow, candidate_id)
            return None if row is None else rows.verdict_record(row)

    def get_measurement(self, candidate_id: str) -> MeasurementRecord | None:
        samples = select(MeasurementSampleRow).where(MeasurementSampleRow.candidate_id == candidate_id)
        with self._read("reading a measurement") as session:
            row = session.get(MeasurementRow, candidate_id)
            return None if row is None else rows.measurement_record(row, session.scalars(samples))

    def accepted_edits(
        self, repo: str | None = None, since: datetime | None = None, tenant: str | None = None
    ) -> list[AcceptedEdit]:
        query = select(AcceptedEditRow).order_by(AcceptedEditRow.created_at, AcceptedEditRow.id)
        if tenant is not None:
            query = query.where(AcceptedEditRow.tenant == tenant)
        if repo is not None:
            query = query.where(AcceptedEditRow.repo == repo)
        if since is not None:
            query = query.where(AcceptedEditRow.created_at >= to_utc(since, "since"))
        with self._read("reading accepted edits") as session:
            return [rows.edit_record(row) for row in session.scalars(query)]

    def get_cached_verdict(self, key: VerdictCacheKey) -> CachedVerdict | None:
        with self._read("reading the verdict cache") as session:
            row = session.get(VerdictCacheRow, (key.source_hash, key.inputs_hash))
            return None if row is None else rows.cached_verdict(row)

    # -- plumbing ----------------------------------------------------------------------------

    @contextmanager
    def _write(self, action: str) -> Iterator[Connection]:
        with translate_store_errors(self._url, action), self._engine.begin() as connection:
            yield connection

    @contextmanager
    def _read(self, action: str) -> Iterator[Session]:
        with translate_store_errors(self._url, action), Session(self._engine) as session:
            yield session

    def _replace_for_candidate(
        self, connection: Connection, model: type[VerdictRow] | type[MeasurementRow], values: dict[str, Any]
    ) -> None:
        stmt = insert_for(self.dialect, model).values(values)
        changed = {name: stmt.excluded[name] for name in values if name != "candidate_id"}
        where = f"{model.__tablename__[:-1]} refers to candidate"
        self._require(connection, CandidateRow.id, values["candidate_id"], where)
        connection.execute(stmt.on_conflict_do_update(index_elements=["candidate_id"], set_=changed))

    @staticmethod
    def _require(connection: Connection, key: InstrumentedAttribute[str], value: str, where: str) -> None:
        if connection.execute(select(literal(1)).where(key == value)).first() is None:
            raise KeyError(f"{where} {value!r}, which is not recorded")

    @staticmethod
    def _update(
        connection: Connection, key: InstrumentedAttribute[str], value: str, values: dict[str, Any], what: str
    ) -> None:
        result = connection.execute(update(key.class_).where(key == value).values(values))
        if result.rowcount == 0:
            raise KeyError(f"no {what} with id {value!r}")
