"""The service's Celery workers: app and thin tasks (ids only, acks_late, idempotent).

Run with `optiagent worker` or `celery -A optiagent.worker.app worker`.
"""
