"""The GitHub App's Celery tasks (registered by optiagent/worker/app.py): handle a webhook delivery, watch a
run's job. A rate limit or a failing GitHub reschedules the task at the time GitHub names; the
worker never sleeps on it. Each pool process also sweeps: a delivery or a watch whose task was lost
(a dead worker, a Redis restart) is sent again."""

from __future__ import annotations

import os
import threading
from typing import Any

from celery import Task, signals

from optiagent.adapters.queue.github_tasks import HANDLE_DELIVERY, WATCH_RUN, CeleryAppTasks
from optiagent.github_app.app import GitHubApp
from optiagent.github_app.wiring import build_github_app
from optiagent.ports.codehost import RetryLater
from optiagent.ports.store import StoreUnavailableError
from optiagent.worker.app import app, log, queue, settings

_github: GitHubApp | None = None
_github_pid = 0
MAX_RETRY_S = 3600.0


def github_app() -> GitHubApp:
    """This process's App, built after the fork (database engines must not cross it)."""
    global _github, _github_pid
    if _github is None or _github_pid != os.getpid():
        _github, _github_pid = build_github_app(settings, queue, CeleryAppTasks(app)), os.getpid()
    return _github


# Both tasks: ids only, acknowledged after the work, retried while the store is down.
_TASK_OPTIONS: dict[str, object] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (StoreUnavailableError,),
    "retry_backoff": True,
    "max_retries": None,
}


def _later(task: Task, error: RetryLater) -> None:
    log.info("github_retry_later", reason=error.reason, after_s=round(error.after_s, 1))
    raise task.retry(countdown=min(max(error.after_s, 1.0), MAX_RETRY_S), max_retries=None)


@app.task(name=HANDLE_DELIVERY, **_TASK_OPTIONS)  # type: ignore[untyped-decorator]
def handle_delivery(self: Task, delivery_id: str) -> None:
    try:
        github_app().handle(delivery_id)
    except RetryLater as error:
        _later(self, error)


@app.task(name=WATCH_RUN, **_TASK_OPTIONS)  # type: ignore[untyped-decorator]
def watch_run(self: Task, run_id: str) -> None:
    try:
        github_app().watch(run_id)
    except RetryLater as error:
        _later(self, error)


def _sweep_forever(stop: threading.Event) -> None:
    sweeper: GitHubApp | None = None
    while not stop.wait(settings.worker.sweep_interval_s):
        try:
            sweeper = sweeper or build_github_app(settings, queue, CeleryAppTasks(app))
            sent = sweeper.sweep(settings.worker.requeue_after_s)
            if sent:
                log.info("github_sweep_requeued", tasks=sent)
        except Exception as error:  # the database or broker is down: try again next round
            log.warning("github_sweep_failed", error=str(error)[:300])


_stop_sweep = threading.Event()


@signals.worker_process_init.connect  # type: ignore[untyped-decorator]
def _start_sweep(**_: Any) -> None:
    """In each pool process, as the jobs' sweep (see optiagent/worker/app.py for why not the main one)."""
    if settings.github.app_id:
        threading.Thread(target=_sweep_forever, args=(_stop_sweep,), name="github-sweep", daemon=True).start()


@signals.worker_process_shutdown.connect  # type: ignore[untyped-decorator]
def _stop(**_: Any) -> None:
    _stop_sweep.set()
