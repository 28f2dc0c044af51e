"""GitHub App: recoverable deliveries and watches (a task lost with a worker or a Redis restart is
sent again by the workers' sweep).

Deliveries get `due_at` (when their task should run), `claimed_until` (a handler's lease) and
`failures`; runs get `watch_due_at` (when their job is next looked at).

Revision ID: 0007_github_recovery
Revises: 0005_github_app
Create Date: 2026-12-03 17:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_github_recovery"
down_revision: str | None = "0005_github_app"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("github_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("failures", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index(batch_op.f("ix_github_deliveries_due_at"), ["due_at"], unique=False)
    with op.batch_alter_table("github_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("watch_due_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("github_runs", schema=None) as batch_op:
        batch_op.drop_column("watch_due_at")
    with op.batch_alter_table("github_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_github_deliveries_due_at"))
        batch_op.drop_column("failures")
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("due_at")
