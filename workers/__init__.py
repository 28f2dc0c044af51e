"""Celery app and thin tasks (ids only, acks_late, idempotent)."""
