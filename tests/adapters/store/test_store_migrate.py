"""Migrations: alembic upgrade from empty, idempotent re-runs, concurrent upgraders, schema == models."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from optiagent.adapters.store.migrate import MIGRATIONS_DIR, current_revisions, head_revisions, upgrade
from optiagent.adapters.store.models import Base
from optiagent.adapters.store.sql import SqlEditStore

from .store_builders import a_run

TABLES = {
    "runs",
    "targets",
    "candidates",
    "verdicts",
    "measurements",
    "accepted_edits",
    "verdict_cache",
    "alembic_version",
    "llm_completions",  # 0002_llm
    "llm_calls",
    "service_jobs",  # 0003_service
    "service_job_archives",
    "service_job_targets",
    "api_tokens",
    "github_installations",  # 0005_github_app
    "github_repositories",
    "github_deliveries",
    "github_runs",
    "github_pulls",
    "measurement_samples",  # 0006_samples
}


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_table(database_url: str) -> None:
    """upgrade() on an empty database creates all tables and stamps the head revision."""
    assert current_revisions(database_url) == frozenset()
    upgrade(database_url)
    assert table_names(database_url) == TABLES
    assert current_revisions(database_url) == head_revisions() != frozenset()


def test_rerunning_upgrade_is_a_no_op(database_url: str) -> None:
    """A second upgrade() keeps the revision and the data."""
    store = SqlEditStore(database_url)
    store.record_run(a_run())
    store.close()
    upgrade(database_url)
    upgrade(database_url)
    reopened = SqlEditStore(database_url)
    assert reopened.get_run("run-1") == a_run()
    reopened.close()
    assert current_revisions(database_url) == head_revisions()


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    """Autogenerate finds no difference between the migrated database and models.py."""
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_concurrent_upgrades_do_not_crash(database_url: str) -> None:
    """Several stores opening (and migrating) one empty database at once all succeed."""
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            start.wait()
            SqlEditStore(database_url).close()
        except BaseException as error:  # collected and re-raised in the main thread
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert current_revisions(database_url) == head_revisions()


def test_sqlite_upgrade_creates_parent_directories(tmp_path: Path) -> None:
    """upgrade() creates the directories above a SQLite file, such as <root>/.optiagent/."""
    database = tmp_path / "root" / ".optiagent" / "history.db"
    upgrade(f"sqlite:///{database}")
    assert database.is_file()


def test_upgrade_works_from_any_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """script_location is absolute, so migrating does not depend on the current directory."""
    monkeypatch.chdir(tmp_path)
    assert MIGRATIONS_DIR.is_absolute()
    assert (MIGRATIONS_DIR / "env.py").is_file()
    upgrade("sqlite:///relative/history.db")
    assert (tmp_path / "relative" / "history.db").is_file()


def test_in_memory_sqlite_store_migrates_its_own_database() -> None:
    """An in-memory SQLite store is migrated through its own engine and works."""
    store = SqlEditStore("sqlite://")
    store.record_run(a_run())
    assert store.get_run("run-1") == a_run()
    store.close()
