"""Service: jobs, their archives and targets, API tokens.

Revision ID: 0003_service
Revises: 0001
Create Date: 2026-11-28 16:09:28.484310
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_service"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "service_jobs",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("token_id", sa.String(), nullable=True),
        sa.Column("idempotency_key", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("targets_total", sa.Integer(), nullable=True),
        sa.Column("targets_done", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("prepare_state", sa.String(length=16), nullable=False),
        sa.Column("prepare_attempts", sa.Integer(), nullable=False),
        sa.Column("prepare_owner", sa.String(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_jobs")),
        sa.UniqueConstraint(
            "token_id", "idempotency_key", name=op.f("uq_service_jobs_token_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("service_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_jobs_status"), ["status"], unique=False)

    op.create_table(
        "service_job_archives",
        sa.Column("job_id", sa.String(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["service_jobs.id"], name=op.f("fk_service_job_archives_job_id_service_jobs")
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_service_job_archives")),
    )
    op.create_table(
        "service_job_targets",
        sa.Column("job_id", sa.String(), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["service_jobs.id"], name=op.f("fk_service_job_targets_job_id_service_jobs")
        ),
        sa.PrimaryKeyConstraint("job_id", "idx", name=op.f("pk_service_job_targets")),
    )
    with op.batch_alter_table("service_job_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_job_targets_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("service_job_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_job_targets_state"))

    op.drop_table("service_job_targets")
    op.drop_table("service_job_archives")
    with op.batch_alter_table("service_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_jobs_status"))

    op.drop_table("service_jobs")
    op.drop_table("api_tokens")
