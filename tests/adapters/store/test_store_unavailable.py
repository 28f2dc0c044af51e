"""Outages surface as StoreUnavailableError with a message a person can act on, never a password."""

from __future__ import annotations

from pathlib import Path

import pytest

from optiagent.adapters.store.migrate import upgrade
from optiagent.adapters.store.sql import SqlEditStore
from optiagent.domain.errors import ConfigError
from optiagent.ports.store import StoreUnavailableError

from .store_builders import a_run

UNREACHABLE_POSTGRES = "postgresql+psycopg://optiagent:s3cret@127.0.0.1:1/history"


def test_unreachable_postgres_raises_store_unavailable() -> None:
    """Opening a store on a port nobody listens on fails fast with a clear, password-free message."""
    with pytest.raises(StoreUnavailableError) as caught:
        SqlEditStore(UNREACHABLE_POSTGRES)
    message = str(caught.value)
    assert "127.0.0.1:1/history" in message
    assert "unavailable while opening" in message
    assert "s3cret" not in message


def test_unreachable_postgres_upgrade_raises_store_unavailable() -> None:
    """upgrade() reports an unreachable database as StoreUnavailableError too."""
    with pytest.raises(StoreUnavailableError, match="while migrating"):
        upgrade(UNREACHABLE_POSTGRES)


def test_unopenable_sqlite_file_raises_store_unavailable(tmp_path: Path) -> None:
    """A SQLite path whose parent is a regular file cannot be created: StoreUnavailableError."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreUnavailableError, match="a-file"):
        SqlEditStore(f"sqlite:///{blocker / 'history.db'}")


def test_write_to_unopenable_sqlite_raises_store_unavailable(tmp_path: Path) -> None:
    """Without auto-migration the first write reports the outage, naming what it was doing."""
    store = SqlEditStore(f"sqlite:///{tmp_path}", auto_migrate=False)  # a directory, not a database
    with pytest.raises(StoreUnavailableError, match="while recording a run"):
        store.record_run(a_run())
    store.close()


def test_malformed_url_raises_config_error() -> None:
    """A URL that names no database driver is a configuration error, not an outage."""
    with pytest.raises(ConfigError, match="invalid history store URL"):
        SqlEditStore("not a url")


def test_unsupported_database_raises_config_error() -> None:
    """Only SQLite and Postgres are supported; anything else is a configuration error."""
    with pytest.raises(ConfigError):
        SqlEditStore("mysql+nosuchdriver://u@localhost/db")
