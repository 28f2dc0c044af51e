"""Tables of the service: jobs, their archives and targets, API tokens (migrations 0003_service,
0004_tenants)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from optiagent.adapters.store.models import Base, Json


class JobRow(Base):
    __tablename__ = "service_jobs"
    __table_args__ = (UniqueConstraint("token_id", "idempotency_key"),)

    id: Mapped[str] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    spec: Mapped[Json]
    token_id: Mapped[str | None]
    idempotency_key: Mapped[str | None]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    targets_total: Mapped[int | None] = mapped_column(Integer)
    targets_done: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    # the prepare step's claim
    prepare_state: Mapped[str] = mapped_column(String(16))
    prepare_attempts: Mapped[int] = mapped_column(Integer)
    prepare_owner: Mapped[str | None]
    heartbeat_at: Mapped[datetime | None]
    enqueued_at: Mapped[datetime | None]
    plan: Mapped[Json | None]
    report: Mapped[Json | None]
    tenant: Mapped[str] = mapped_column(index=True, server_default="default")


class JobArchiveRow(Base):
    __tablename__ = "service_job_archives"

    job_id: Mapped[str] = mapped_column(ForeignKey("service_jobs.id"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class JobTargetRow(Base):
    __tablename__ = "service_job_targets"

    job_id: Mapped[str] = mapped_column(ForeignKey("service_jobs.id"), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    payload: Mapped[Json]
    state: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str | None]
    heartbeat_at: Mapped[datetime | None]
    enqueued_at: Mapped[datetime | None]
    result: Mapped[Json | None]


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    token_hash: Mapped[str] = mapped_column(unique=True)
    created_at: Mapped[datetime]
    tenant: Mapped[str] = mapped_column(server_default="default")
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
