"""Fixtures for the history store: one fresh database per test (SQLite file, or a Postgres database)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from optiagent.adapters.store.memory import InMemoryEditStore
from optiagent.adapters.store.sql import SqlEditStore
from optiagent.ports.store import EditStore

POSTGRES_URL_ENV = "OPTIAGENT_TEST_POSTGRES_URL"
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state' / 'history.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    base = os.environ.get(POSTGRES_URL_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set (tools/test starts Postgres and sets it)")
    name = f"optiagent_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", POSTGRES])
def database_url(request: pytest.FixtureRequest) -> str:
    """A URL of an empty database, for each SQL backend."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(params=["memory", "sqlite", POSTGRES])
def store(request: pytest.FixtureRequest) -> Iterator[EditStore]:
    """Every EditStore implementation, fresh and empty."""
    opened: EditStore
    if request.param == "memory":
        opened = InMemoryEditStore()
    else:
        opened = SqlEditStore(request.getfixturevalue(f"{request.param}_url"))
    yield opened
    opened.close()
