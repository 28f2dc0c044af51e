"""Raw benchmark samples: one row per timing process of a measurement, and where they were taken.

Its own branch from 0001 (measurements are in the initial schema): `alembic upgrade heads`.

Revision ID: 0006_samples
Revises: 0001
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_samples"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("machine", sa.JSON(), nullable=True))
    op.create_table(
        "measurement_samples",
        sa.Column("candidate_id", sa.String(), nullable=False),
        sa.Column("pair", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("ran_first", sa.Boolean(), nullable=False),
        sa.Column("wall_s", sa.Double(), nullable=False),
        sa.Column("cpu_s", sa.Double(), nullable=False),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("warmups", sa.JSON(), nullable=False),
        sa.Column("blocks", sa.JSON(), nullable=False),
        sa.Column("voluntary_switches", sa.Integer(), nullable=False),
        sa.Column("threads", sa.Integer(), nullable=False),
        sa.Column("involuntary_switches", sa.Integer(), nullable=False),
        sa.Column("cpu", sa.Integer(), nullable=True),
        sa.Column("load_avg", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_measurement_samples_candidate_id_candidates"),
        ),
        sa.PrimaryKeyConstraint("candidate_id", "pair", "side", name=op.f("pk_measurement_samples")),
    )


def downgrade() -> None:
    op.drop_table("measurement_samples")
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.drop_column("machine")
