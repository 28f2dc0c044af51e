"""Tenants: tokens belong to a tenant and may expire or be revoked; jobs and accepted edits are
the tenant's. Existing tokens, jobs and edits go to the tenant `default`.

Revision ID: 0004_tenants
Revises: 0003_service
Create Date: 2026-12-03 10:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_tenants"
down_revision: str | None = "0003_service"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tenant", sa.String(), server_default="default", nullable=False))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("service_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tenant", sa.String(), server_default="default", nullable=False))
        batch_op.create_index(batch_op.f("ix_service_jobs_tenant"), ["tenant"], unique=False)
    with op.batch_alter_table("accepted_edits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tenant", sa.String(), server_default="default", nullable=False))
        batch_op.create_index(batch_op.f("ix_accepted_edits_tenant"), ["tenant"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("accepted_edits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accepted_edits_tenant"))
        batch_op.drop_column("tenant")
    with op.batch_alter_table("service_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_jobs_tenant"))
        batch_op.drop_column("tenant")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("tenant")
