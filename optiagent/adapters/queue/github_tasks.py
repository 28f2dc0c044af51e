"""The GitHub App's tasks, sent by name over the workers' Celery app (optiagent/worker/github.py runs them)."""

from __future__ import annotations

from celery import Celery

from optiagent.adapters.queue.celery_app import QUEUE

HANDLE_DELIVERY = "optiagent.github.handle"
WATCH_RUN = "optiagent.github.watch"


class CeleryAppTasks:
    def __init__(self, app: Celery) -> None:
        self.app = app

    def handle(self, delivery_id: str) -> None:
        self.app.send_task(HANDLE_DELIVERY, args=[delivery_id], queue=QUEUE)

    def watch(self, run_id: str, delay_s: float) -> None:
        self.app.send_task(WATCH_RUN, args=[run_id], queue=QUEUE, countdown=max(delay_s, 0.0))
