"""Initial schema: runs, targets, candidates, verdicts, measurements, accepted_edits, verdict_cache.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 13:29:41.042295
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("root", sa.Text(), nullable=False),
        sa.Column("repo", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("strategies", sa.JSON(), nullable=False),
        sa.Column("sandbox", sa.String(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index(op.f("ix_runs_repo"), "runs", ["repo"], unique=False)

    op.create_table(
        "verdict_cache",
        sa.Column("source_hash", sa.String(), nullable=False),
        sa.Column("inputs_hash", sa.String(), nullable=False),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("checked", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source_hash", "inputs_hash", name=op.f("pk_verdict_cache")),
    )
    op.create_table(
        "targets",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("qualname", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_targets_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
    )
    op.create_index(op.f("ix_targets_run_id"), "targets", ["run_id"], unique=False)

    op.create_table(
        "candidates",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("target_id", sa.String(), nullable=False),
        sa.Column("source_hash", sa.String(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("strategy", sa.String(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["target_id"], ["targets.id"], name=op.f("fk_candidates_target_id_targets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidates")),
        sa.UniqueConstraint("target_id", "source_hash", name=op.f("uq_candidates_target_id_source_hash")),
    )
    op.create_table(
        "accepted_edits",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("target_id", sa.String(), nullable=False),
        sa.Column("candidate_id", sa.String(), nullable=False),
        sa.Column("repo", sa.String(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("qualname", sa.Text(), nullable=False),
        sa.Column("original_source", sa.Text(), nullable=False),
        sa.Column("optimized_source", sa.Text(), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("speedup", sa.Double(), nullable=False),
        sa.Column("ci_low", sa.Double(), nullable=False),
        sa.Column("ci_high", sa.Double(), nullable=False),
        sa.Column("strategy", sa.String(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_accepted_edits_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_accepted_edits_run_id_runs")),
        sa.ForeignKeyConstraint(
            ["target_id"], ["targets.id"], name=op.f("fk_accepted_edits_target_id_targets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accepted_edits")),
        sa.UniqueConstraint("target_id", name=op.f("uq_accepted_edits_target_id")),
    )
    op.create_index(op.f("ix_accepted_edits_created_at"), "accepted_edits", ["created_at"], unique=False)
    op.create_index(op.f("ix_accepted_edits_repo"), "accepted_edits", ["repo"], unique=False)

    op.create_table(
        "measurements",
        sa.Column("candidate_id", sa.String(), nullable=False),
        sa.Column("speedup", sa.Double(), nullable=False),
        sa.Column("ci_low", sa.Double(), nullable=False),
        sa.Column("ci_high", sa.Double(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("original_s", sa.Double(), nullable=False),
        sa.Column("candidate_s", sa.Double(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_measurements_candidate_id_candidates")
        ),
        sa.PrimaryKeyConstraint("candidate_id", name=op.f("pk_measurements")),
    )
    op.create_table(
        "verdicts",
        sa.Column("candidate_id", sa.String(), nullable=False),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("checked", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_verdicts_candidate_id_candidates")
        ),
        sa.PrimaryKeyConstraint("candidate_id", name=op.f("pk_verdicts")),
    )


def downgrade() -> None:
    op.drop_table("verdicts")
    op.drop_table("measurements")
    op.drop_index(op.f("ix_accepted_edits_repo"), table_name="accepted_edits")
    op.drop_index(op.f("ix_accepted_edits_created_at"), table_name="accepted_edits")

    op.drop_table("accepted_edits")
    op.drop_table("candidates")
    op.drop_index(op.f("ix_targets_run_id"), table_name="targets")

    op.drop_table("targets")
    op.drop_table("verdict_cache")
    op.drop_index(op.f("ix_runs_repo"), table_name="runs")

    op.drop_table("runs")
