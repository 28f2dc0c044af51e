"""Redis or Postgres restarting in the middle of a job delays it but loses nothing.

Both run privately here (their own ports and data directories) so the test can stop and start
them. The Redis keeps no data across the restart, the hard case: every queued task is gone and
the workers' sweep must re-send the work from what Postgres remembers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from optiagent.adapters.queue.celery_app import CeleryJobQueue, make_celery
from optiagent.adapters.store.jobs import SqlJobStore
from optiagent.domain.jobs import JobSpec, JobStatus, SourceKind
from optiagent.services.jobs import submit_job
from tests.service.conftest import WorkerFactory
from tests.service.history import rows_per_target, wait_for_ready, wait_for_running_target
from tests.service.stack import EXAMPLES, PRIMES_FUNCTIONS, free_port, start_worker, tar_gz

pytestmark = pytest.mark.slow
PG_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass
class PrivateRedis:
    port: int
    directory: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "yes", "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")],
            check=True,
        )  # fmt: skip
        _wait(
            lambda: (
                subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).returncode
                == 0
            )
        )

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, check=False
        )


@dataclass
class PrivatePostgres:
    port: int
    directory: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "pg"), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    def init(self) -> None:
        command = [str(PG_BIN / "initdb"), "-D", str(self.directory / "pg"), "-A", "trust", "-U", "postgres"]
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-l", str(self.directory / "pg.log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")


def _wait(ready: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    raise TimeoutError("service did not come up")


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip("Postgres 15 binaries are not installed")
    # Not under pytest's tmp_path: the postgres user must be able to reach the directory.
    server = PrivatePostgres(free_port(), Path(tempfile.mkdtemp(prefix="optiagent-pg-")))
    try:
        server.init()
        server.start()
        yield server
        server.stop()
    finally:
        shutil.rmtree(server.directory, ignore_errors=True)


def _submit(database_url: str, redis_url: str) -> str:
    jobs = SqlJobStore(database_url)
    queue = CeleryJobQueue(make_celery(redis_url, 20))
    spec = JobSpec(
        source=SourceKind.ARCHIVE,
        repo="archive:outage",
        functions=PRIMES_FUNCTIONS,
        workload="python workload.py",
    )
    try:
        return submit_job(jobs, queue, spec, tar_gz(EXAMPLES / "primes"), None, None).id
    finally:
        jobs.close()


def _finished(database_url: str, job_id: str, timeout_s: float = 600) -> JobStatus:
    jobs = SqlJobStore(database_url, auto_migrate=False)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            try:
                job = jobs.get_job(job_id)
            except Exception:  # the database may be restarting
                job = None
            if job is not None and job.status.terminal:
                return job.status
            time.sleep(0.5)
    finally:
        jobs.close()
    raise TimeoutError(f"job {job_id} did not finish")


def _check_history(database_url: str, job_id: str) -> None:
    targets = rows_per_target(database_url, job_id, "targets")
    assert len(targets) == len(PRIMES_FUNCTIONS) and set(targets.values()) == {1}
    assert set(rows_per_target(database_url, job_id, "accepted_edits").values()) <= {1}


def test_redis_restart_without_its_data_delays_but_loses_nothing(
    env: dict[str, str], database_url: str, private_redis: PrivateRedis, tmp_path: Path
) -> None:
    worker_env = env | {"OPTIAGENT_REDIS_URL": private_redis.url}
    worker = start_worker(worker_env, tmp_path / "worker.log")
    try:
        wait_for_ready(worker.log)
        job_id = _submit(database_url, private_redis.url)
        wait_for_running_target(database_url, job_id)
        private_redis.stop()  # queued tasks are lost with it
        time.sleep(3)
        private_redis.start()
        assert _finished(database_url, job_id) is JobStatus.SUCCEEDED, worker.tail()
        _check_history(database_url, job_id)
    finally:
        worker.stop()


def test_postgres_restart_delays_but_loses_nothing(
    env: dict[str, str],
    redis_url: str,
    private_postgres: PrivatePostgres,
    tmp_path: Path,
    workers: WorkerFactory,
) -> None:
    SqlJobStore(private_postgres.url).close()  # migrate before the worker starts
    worker = workers(OPTIAGENT_DATABASE_URL=private_postgres.url)
    wait_for_ready(worker.log)
    job_id = _submit(private_postgres.url, redis_url)
    wait_for_running_target(private_postgres.url, job_id)
    private_postgres.stop()
    time.sleep(3)
    private_postgres.start()
    assert _finished(private_postgres.url, job_id) is JobStatus.SUCCEEDED, worker.tail()
    _check_history(private_postgres.url, job_id)
