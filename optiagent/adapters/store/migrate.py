"""Brings a history database to the newest schema with alembic, safely under concurrent callers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from optiagent.adapters.store.engine import create_store_engine
from optiagent.adapters.store.errors import translate_store_errors

# Shipped inside the package, so a wheel and an editable install find them alike. Alembic needs a
# real directory: installs unpack packages onto the file system (a zipped package is not supported).
MIGRATIONS_DIR = Path(str(resources.files("optiagent.adapters.store") / "migrations"))
# Arbitrary constant naming the Postgres advisory lock that serializes migrations ("optiagnt").
ADVISORY_LOCK_KEY = 0x6F70746961676E74


def upgrade(url: str) -> None:
    """Migrate the database at `url` to head (creating a SQLite file and its directory); a no-op when current."""
    with translate_store_errors(url, "migrating"):
        engine = create_store_engine(url)
        try:
            upgrade_engine(engine)
        finally:
            engine.dispose()


def upgrade_engine(engine: Engine) -> None:
    """Migrate through an existing engine (needed for in-memory SQLite, whose data lives in the engine)."""
    with locked_transaction(engine) as connection:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")  # independent branches (one per feature) may coexist


@contextmanager
def locked_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that holds the migration lock: a Postgres advisory lock, or SQLite's write lock.

    Concurrent upgraders wait here, then find the schema at head and do nothing.
    """
    with engine.begin() as connection:  # on SQLite this is BEGIN IMMEDIATE (see engine.py)
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        yield connection


def alembic_config(url: str) -> Config:
    """An alembic Config built in code: absolute script_location, URL passed as sqlalchemy.url."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revisions() -> frozenset[str]:
    """The newest revision of every branch shipped in the package's migrations/versions."""
    return frozenset(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


def current_revisions(url: str) -> frozenset[str]:
    """The revisions the database at `url` is at (one per branch); empty when it was never migrated."""
    with translate_store_errors(url, "reading the schema revision"):
        engine = create_store_engine(url)
        try:
            with engine.connect() as connection:
                return frozenset(MigrationContext.configure(connection).get_current_heads())
        finally:
            engine.dispose()
