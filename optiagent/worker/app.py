"""The Celery app of the workers: `optiagent worker` (or `celery -A optiagent.worker.app worker`).

Tasks are thin: they carry only ids and call JobRunner, which claims each step in Postgres first,
so a redelivered task (acks_late, a dead worker, a Redis restart) never runs a live step twice.

Jobs run only in Docker (unless the operator allows the local sandbox by name): a worker configured
with the local sandbox refuses to start, and a step that finds no Docker daemon is handed back and
retried later (SandboxUnavailableError), never run outside it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import structlog
from celery import Task, signals

from optiagent.adapters.queue.celery_app import FINALIZE, PREPARE, RUN_TARGET, CeleryJobQueue, make_celery
from optiagent.bootstrap import build_job_runner, build_job_store, require_service_sandbox, service_config
from optiagent.domain.jobs import ClaimState
from optiagent.logging_setup import configure_logging, log_level
from optiagent.ports.sandbox import SandboxUnavailableError
from optiagent.ports.store import StoreUnavailableError
from optiagent.services.jobs import JobRunner
from optiagent.services.target_run import Services
from optiagent.settings import load_settings

settings = load_settings()
require_service_sandbox(settings)  # before any task is taken
app = make_celery(settings.redis_url, settings.worker.visibility_timeout_s)
queue = CeleryJobQueue(app)
log = structlog.get_logger("optiagent.worker")

_runner: JobRunner | None = None
_runner_pid = 0
# A database or Docker outage: the step was handed back; try again later (backoff up to 10 min).
RETRY = {
    "autoretry_for": (StoreUnavailableError, SandboxUnavailableError),
    "retry_backoff": True,
    "max_retries": None,
}


def runner() -> JobRunner:
    """This process's runner, built after the fork (database engines must not cross it)."""
    global _runner, _runner_pid
    if _runner is None or _runner_pid != os.getpid():
        _runner, _runner_pid = build_job_runner(settings, queue), os.getpid()
    return _runner


def _later(task: Task, state: ClaimState) -> None:
    """A live worker holds the step: look again once its lease could have lapsed."""
    if state is ClaimState.BUSY:
        raise task.retry(countdown=max(1.0, settings.worker.lease_s / 2), max_retries=None)


@app.task(name=PREPARE, bind=True, acks_late=True, reject_on_worker_lost=True, **RETRY)  # type: ignore[untyped-decorator]
def prepare(self: Task, job_id: str) -> None:
    _later(self, runner().prepare(job_id))


@app.task(name=RUN_TARGET, bind=True, acks_late=True, reject_on_worker_lost=True, **RETRY)  # type: ignore[untyped-decorator]
def run_target(self: Task, job_id: str, index: int) -> None:
    _later(self, runner().run_target(job_id, index))


@app.task(name=FINALIZE, bind=True, acks_late=True, reject_on_worker_lost=True, **RETRY)  # type: ignore[untyped-decorator]
def finalize(self: Task, job_id: str) -> None:
    runner().finalize(job_id)


def _no_services(strategies: Sequence[str], tenant: str) -> Services:
    raise RuntimeError("the sweep runs no pipeline steps")


def _sweep_forever(stop: threading.Event) -> None:
    sweeper = JobRunner(build_job_store(settings), queue, _no_services, "", service_config(settings))
    while not stop.wait(settings.worker.sweep_interval_s):
        try:
            sent = sweeper.sweep()
            if sent:
                log.info("sweep_requeued", tasks=sent)
        except Exception as error:  # the database or broker is down: try again next round
            log.warning("sweep_failed", error=str(error)[:300])


_stop_sweep = threading.Event()


# The sweep runs in each pool process, never in the worker's main process: the main process forks
# replacement pool processes, and a fork taken while another thread holds a lock (logging, the
# broker connection pool) leaves the child deadlocked on it. Found by the SIGKILL test.
@signals.setup_logging.connect  # type: ignore[untyped-decorator]
def _logging(loglevel: int | str | None = None, **_: Any) -> None:
    """Celery's logs and ours through the one configuration (stderr; JSON unless a terminal). The
    level is OPTIAGENT_LOG_LEVEL or Celery's --loglevel, whichever shows more."""
    level = log_level(settings.log_level)
    if loglevel is not None:
        asked = loglevel if isinstance(loglevel, int) else log_level(str(loglevel))
        level = min(level, asked)
    configure_logging(level, settings.log_format)


@signals.worker_process_init.connect  # type: ignore[untyped-decorator]
def _start_sweep(**_: Any) -> None:
    threading.Thread(target=_sweep_forever, args=(_stop_sweep,), name="optiagent-sweep", daemon=True).start()


@signals.worker_process_shutdown.connect  # type: ignore[untyped-decorator]
def _stop(**_: Any) -> None:
    _stop_sweep.set()


import optiagent.worker.github  # noqa: E402, F401  (registers the GitHub App's tasks)
