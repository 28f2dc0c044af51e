"""Celery on Redis: the app's configuration and the JobQueue that sends its tasks by name.

Tasks carry only ids. They are acknowledged after they run (acks_late) and handed back when
their worker process dies (reject_on_worker_lost); a task whose whole worker vanished comes
back after the Redis visibility timeout. Each worker takes one task at a time (prefetch 1), so
the targets of one job spread over every worker.
"""

from __future__ import annotations

import redis
from celery import Celery

QUEUE = "optiagent"
PREPARE = "optiagent.jobs.prepare"
RUN_TARGET = "optiagent.targets.run"
FINALIZE = "optiagent.jobs.finalize"


def make_celery(redis_url: str, visibility_timeout_s: float) -> Celery:
    app = Celery("optiagent", broker=redis_url, backend=redis_url)
    app.conf.update(
        task_default_queue=QUEUE,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        task_ignore_result=True,  # state lives in Postgres; the backend only serves ad-hoc results
        result_expires=3600,
        worker_prefetch_multiplier=1,
        worker_max_tasks_per_child=50,
        broker_transport_options={"visibility_timeout": visibility_timeout_s},
        result_backend_transport_options={"visibility_timeout": visibility_timeout_s},
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a Redis restart delays work, never ends the worker
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 5, "interval_start": 0.2, "interval_step": 0.5},
        worker_hijack_root_logger=False,
    )
    return app


class CeleryJobQueue:
    """The JobQueue port over a Celery app (send_task: the API never imports the tasks)."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def prepare(self, job_id: str) -> None:
        self.app.send_task(PREPARE, args=[job_id], queue=QUEUE)

    def run_target(self, job_id: str, index: int) -> None:
        self.app.send_task(RUN_TARGET, args=[job_id, index], queue=QUEUE)

    def finalize(self, job_id: str) -> None:
        self.app.send_task(FINALIZE, args=[job_id], queue=QUEUE)

    def ping(self) -> bool:
        """True when the broker answers within a second."""
        try:
            client = redis.Redis.from_url(
                self.app.conf.broker_url, socket_timeout=1, socket_connect_timeout=1
            )
            try:
                return bool(client.ping())
            finally:
                client.close()
        except redis.RedisError:
            return False
