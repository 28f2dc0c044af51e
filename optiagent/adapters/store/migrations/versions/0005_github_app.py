"""GitHub App: installations, repositories, webhook deliveries, runs, pull requests' artefacts.

Its own branch from 0001 (independent of the service's tenants): `alembic upgrade heads`.

Revision ID: 0005_github_app
Revises: 0001
Create Date: 2026-12-05 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_github_app"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "github_installations",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_github_installations")),
    )
    op.create_table(
        "github_repositories",
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("full_name", name=op.f("pk_github_repositories")),
    )
    with op.batch_alter_table("github_repositories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_github_repositories_installation_id"), ["installation_id"], unique=False
        )
    op.create_table(
        "github_deliveries",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_github_deliveries")),
    )
    with op.batch_alter_table("github_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_github_deliveries_received_at"), ["received_at"], unique=False)
    op.create_table(
        "github_runs",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=False),
        sa.Column("repo", sa.String(), nullable=False),
        sa.Column("pr", sa.Integer(), nullable=False),
        sa.Column("head_sha", sa.String(length=64), nullable=False),
        sa.Column("base_sha", sa.String(length=64), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("check_run_id", sa.BigInteger(), nullable=True),
        sa.Column("job_id", sa.String(), nullable=True),
        sa.Column("functions", sa.JSON(), nullable=False),
        sa.Column("fork", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_github_runs")),
        sa.UniqueConstraint("repo", "head_sha", name=op.f("uq_github_runs_repo_head_sha")),
    )
    with op.batch_alter_table("github_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_github_runs_installation_id"), ["installation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_github_runs_status"), ["status"], unique=False)
        batch_op.create_index("ix_github_runs_repo_pr", ["repo", "pr"], unique=False)
    op.create_table(
        "github_pulls",
        sa.Column("repo", sa.String(), nullable=False),
        sa.Column("pr", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("summary_comment_id", sa.BigInteger(), nullable=True),
        sa.Column("followup_pr", sa.Integer(), nullable=True),
        sa.Column("followup_requested", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("repo", "pr", name=op.f("pk_github_pulls")),
    )


def downgrade() -> None:
    op.drop_table("github_pulls")
    with op.batch_alter_table("github_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_github_runs_repo_pr")
        batch_op.drop_index(batch_op.f("ix_github_runs_status"))
        batch_op.drop_index(batch_op.f("ix_github_runs_installation_id"))
    op.drop_table("github_runs")
    with op.batch_alter_table("github_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_github_deliveries_received_at"))
    op.drop_table("github_deliveries")
    with op.batch_alter_table("github_repositories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_github_repositories_installation_id"))
    op.drop_table("github_repositories")
    op.drop_table("github_installations")
