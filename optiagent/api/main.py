"""The API wired from settings: `uvicorn --factory optiagent.api.main:app_from_settings`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from optiagent.adapters.queue.celery_app import CeleryJobQueue, make_celery
from optiagent.adapters.store.jobs import AsyncJobReader
from optiagent.api.app import ApiConfig, create_app
from optiagent.api.limits import LimitSettings, RedisLimits
from optiagent.bootstrap import (
    build_job_store,
    build_store,
    check_strategies,
    repository_policy,
    service_database_url,
)
from optiagent.logging_setup import configure_logging, log_level
from optiagent.services.workspace import ArchiveLimits
from optiagent.settings import load_settings


def app_from_settings() -> FastAPI:
    settings = load_settings()
    configure_logging(log_level(settings.log_level), settings.log_format)
    api = settings.api
    queue = CeleryJobQueue(make_celery(settings.redis_url, settings.worker.visibility_timeout_s))
    config = ApiConfig(
        max_upload_bytes=int(api.max_upload_mb * 2**20),
        limits=ArchiveLimits(int(api.max_unpacked_mb * 2**20), api.max_files),
        repositories=repository_policy(settings),
        check_strategies=lambda strategies: check_strategies(settings, strategies),
    )
    jobs = build_job_store(settings)
    edits = build_store(settings, service_database_url(settings), Path.cwd())
    url = service_database_url(settings)
    reader = AsyncJobReader(url) if AsyncJobReader.supports(url) else None
    service = settings.service
    limits = RedisLimits(
        settings.redis_url,
        LimitSettings(service.requests_per_minute, service.max_streams, service.max_stream_s),
    )
    return create_app(jobs, edits, queue, config, ping_broker=queue.ping, reader=reader, limits=limits)
