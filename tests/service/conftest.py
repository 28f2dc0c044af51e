"""Service fixtures: a fresh Postgres database and Redis db per session, the API over HTTP, and
Celery worker processes started (and killed) by the tests. Needs tools/test's Postgres and Redis."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.service.stack import Client, Process, create_token, service_env, start_api, start_worker, unique

POSTGRES_ENV, REDIS_ENV = "OPTIAGENT_TEST_POSTGRES_URL", "OPTIAGENT_TEST_REDIS_URL"
REDIS_DB = 7  # the service tests' own Redis database, flushed per session


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"{name} is not set (tools/test starts Postgres and Redis and sets it)")
    return value


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    base = _required(POSTGRES_ENV)
    name = unique("optiagent_service")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    base = _required(REDIS_ENV)
    url = base.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


@pytest.fixture(scope="session")
def service_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("service")


@pytest.fixture(scope="session")
def env(database_url: str, redis_url: str, service_dir: Path) -> dict[str, str]:
    return service_env(database_url, redis_url, service_dir / "workspace")


@pytest.fixture(scope="session")
def api(env: dict[str, str], service_dir: Path) -> Iterator[str]:
    process, url = start_api(env, service_dir / "api.log")
    yield url
    process.stop()


@pytest.fixture(scope="session")
def token(env: dict[str, str], api: str) -> str:
    return create_token(env)


@pytest.fixture
def client(api: str, token: str) -> Iterator[Client]:
    opened = Client(api, token)
    yield opened
    opened.close()


WorkerFactory = Callable[..., Process]


@pytest.fixture
def workers(env: dict[str, str], tmp_path: Path) -> Iterator[WorkerFactory]:
    """Starts workers (each its own process group); all are stopped after the test."""
    started: list[Process] = []

    def start(**extra: str) -> Process:
        process = start_worker(env | extra, tmp_path / f"worker-{len(started)}.log")
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
