"""Dialect-specific INSERT ... ON CONFLICT for the two databases the store supports."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from optiagent.adapters.store.models import Base
from optiagent.domain.errors import ConfigError

SUPPORTED_DIALECTS = ("sqlite", "postgresql")


def require_supported(dialect: str) -> None:
    if dialect not in SUPPORTED_DIALECTS:
        raise ConfigError(f"the history store supports {' and '.join(SUPPORTED_DIALECTS)}, not {dialect}")


def insert_for(dialect: str, model: type[Base]) -> PostgresInsert | SqliteInsert:
    """An INSERT that understands on_conflict_do_update/on_conflict_do_nothing on `dialect`."""
    require_supported(dialect)
    return postgres_insert(model) if dialect == "postgresql" else sqlite_insert(model)
