"""SQLAlchemy 2 tables of the history store. migrations/versions must create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from optiagent.adapters.store.normalize import to_utc

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = dict[str, Any]


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC (SQLite keeps no offset, so it is re-attached on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = to_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        Json: JSON(),
        str: String(),
        float: Double(),
    }


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(primary_key=True)
    root: Mapped[str] = mapped_column(Text)
    repo: Mapped[str] = mapped_column(index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    strategies: Mapped[list[str]] = mapped_column(JSON)
    sandbox: Mapped[str]
    summary: Mapped[Json]


class TargetRow(Base):
    __tablename__ = "targets"

    id: Mapped[str] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    file: Mapped[str] = mapped_column(Text)
    qualname: Mapped[str] = mapped_column(Text)
    kind: Mapped[str]
    status: Mapped[str]
    reason: Mapped[str] = mapped_column(Text)


class CandidateRow(Base):
    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("target_id", "source_hash"),)

    id: Mapped[str] = mapped_column(primary_key=True)
    target_id: Mapped[str] = mapped_column(ForeignKey("targets.id"))
    source_hash: Mapped[str]
    source: Mapped[str] = mapped_column(Text)
    strategy: Mapped[str]
    rules: Mapped[list[str]] = mapped_column(JSON)
    provenance: Mapped[Json]


class VerdictRow(Base):
    __tablename__ = "verdicts"

    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id"), primary_key=True)
    verdict: Mapped[str]
    detail: Mapped[str] = mapped_column(Text)
    checked: Mapped[Json]


class MeasurementRow(Base):
    __tablename__ = "measurements"

    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id"), primary_key=True)
    speedup: Mapped[float]
    ci_low: Mapped[float]
    ci_high: Mapped[float]
    samples: Mapped[int] = mapped_column(Integer)
    original_s: Mapped[float]
    candidate_s: Mapped[float]
    accepted: Mapped[bool] = mapped_column(Boolean)
    machine: Mapped[Json | None]  # where the samples were taken (domain/samples.py Machine)


class MeasurementSampleRow(Base):
    """One timing process of a measurement: the raw sample a pyperf export is made of."""

    __tablename__ = "measurement_samples"

    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id"), primary_key=True)
    pair: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0-based, in the order taken
    side: Mapped[str] = mapped_column(String(16), primary_key=True)  # original | candidate
    ran_first: Mapped[bool] = mapped_column(Boolean)
    wall_s: Mapped[float]
    cpu_s: Mapped[float]
    repeats: Mapped[int] = mapped_column(Integer)
    warmups: Mapped[list[list[float]]] = mapped_column(JSON)  # [[loops, CPU seconds per pass]]
    blocks: Mapped[list[list[float]]] = mapped_column(JSON)  # [[passes, wall s, CPU s per pass]]
    voluntary_switches: Mapped[int] = mapped_column(Integer)
    threads: Mapped[int] = mapped_column(Integer)
    involuntary_switches: Mapped[int] = mapped_column(Integer)
    cpu: Mapped[int | None] = mapped_column(Integer)
    load_avg: Mapped[float]


class AcceptedEditRow(Base):
    __tablename__ = "accepted_edits"

    id: Mapped[str] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"))
    target_id: Mapped[str] = mapped_column(ForeignKey("targets.id"), unique=True)
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id"))
    repo: Mapped[str] = mapped_column(index=True)
    file: Mapped[str] = mapped_column(Text)
    qualname: Mapped[str] = mapped_column(Text)
    original_source: Mapped[str] = mapped_column(Text)
    optimized_source: Mapped[str] = mapped_column(Text)
    diff: Mapped[str] = mapped_column(Text)
    speedup: Mapped[float]
    ci_low: Mapped[float]
    ci_high: Mapped[float]
    strategy: Mapped[str]
    rules: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(index=True)
    applied: Mapped[bool] = mapped_column(Boolean)
    evidence: Mapped[Json]
    tenant: Mapped[str] = mapped_column(index=True, server_default="default")


class VerdictCacheRow(Base):
    __tablename__ = "verdict_cache"

    source_hash: Mapped[str] = mapped_column(primary_key=True)
    inputs_hash: Mapped[str] = mapped_column(primary_key=True)
    verdict: Mapped[str]
    detail: Mapped[str] = mapped_column(Text)
    checked: Mapped[Json]
    updated_at: Mapped[datetime]


# Feature tables live in their own modules; importing them here puts them in Base.metadata.
from optiagent.adapters.store import github_models as _github_models  # noqa: E402, F401
from optiagent.adapters.store import job_models as _job_models  # noqa: E402, F401
from optiagent.adapters.store import llm_models as _llm_models  # noqa: E402, F401
