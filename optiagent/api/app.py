"""The FastAPI application: jobs, their reports and progress, accepted edits, health."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from optiagent.api import problems
from optiagent.api.auth import Authenticated
from optiagent.api.problems import Problem
from optiagent.api.uploads import BodyLimit, GitJob, spec_from_form, spec_from_json
from optiagent.domain.jobs import Job, JobStatus
from optiagent.ports.jobs import AsyncJobReader, JobQueue, JobStore
from optiagent.ports.store import EditStore
from optiagent.services.jobs import submit_job
from optiagent.services.workspace import ArchiveLimits

EVENT_POLL_S = 0.5
KEEPALIVE_S = 15.0


@dataclass(frozen=True)
class ApiConfig:
    max_upload_bytes: int = 20 * 2**20
    limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    allow_file_urls: bool = True
    check_strategies: Callable[[Sequence[str]], object] | None = None  # raises ConfigError if unknown


def job_view(job: Job) -> dict[str, Any]:
    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "id": job.id,
        "status": job.status.value,
        "repo": job.spec.repo,
        "progress": {"targets_done": job.targets_done, "targets_total": job.targets_total},
        "created_at": when(job.created_at),
        "started_at": when(job.started_at),
        "finished_at": when(job.finished_at),
        "error": job.error or None,
    }


SUBMIT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["archive"],
                    "properties": {
                        "archive": {"type": "string", "format": "binary", "description": ".tar.gz or .zip"},
                        "repo": {"type": "string", "description": "name of the code in history"},
                        "workload": {"type": "string"},
                        "functions": {"type": "string", "description": "comma-separated qualnames"},
                        "strategies": {"type": "string", "description": "comma-separated"},
                        "min_speedup": {"type": "number"},
                        "budget": {"type": "integer", "description": "max targets per project"},
                    },
                }
            },
            "application/json": {"schema": GitJob.model_json_schema()},
        },
    }
}


def create_app(
    jobs: JobStore,
    edits: EditStore,
    queue: JobQueue,
    config: ApiConfig,
    ping_broker: Callable[[], bool] | None = None,
    reader: AsyncJobReader | None = None,
) -> FastAPI:
    app = FastAPI(
        title="optiagent",
        version="1",
        description="Makes Python code faster and proves it correct, as a service.",
    )
    app.state.jobs, app.state.edits, app.state.queue = jobs, edits, queue
    app.state.token_cache = {}
    problems.install(app)
    app.add_middleware(BodyLimit, max_bytes=config.max_upload_bytes + 2**20)  # room for form fields
    v1 = APIRouter(prefix="/v1")

    async def find(job_id: str) -> Job:
        job = await reader.get_job(job_id) if reader else await run_in_threadpool(jobs.get_job, job_id)
        if job is None:
            raise Problem(404, f"no job {job_id}")
        return job

    @v1.post("/jobs", status_code=201, openapi_extra=SUBMIT_BODY, summary="Submit a job")
    async def submit(
        request: Request,
        token: Authenticated,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
    ) -> JSONResponse:
        """An archive upload (multipart field `archive`) or a git repository (JSON `repo_url`, `ref`)."""
        content_type = request.headers.get("content-type", "")
        archive: bytes | None = None
        if content_type.startswith("multipart/form-data"):
            spec, archive = await spec_from_form(request, config.limits, config.max_upload_bytes)
        elif content_type.startswith("application/json"):
            spec = await spec_from_json(request, config.allow_file_urls)
        else:
            raise Problem(415, "send multipart/form-data with an `archive` file, or JSON with `repo_url`")
        if config.check_strategies is not None:
            config.check_strategies(spec.strategies or ("catalogue",))
        job = await run_in_threadpool(submit_job, jobs, queue, spec, archive, token.id, idempotency_key)
        return JSONResponse({"id": job.id, "status": job.status.value}, status_code=201)

    @v1.get("/jobs/{job_id}", summary="Status and progress of a job")
    async def status(job_id: str, _: Authenticated) -> dict[str, Any]:
        return job_view(await find(job_id))

    @v1.get("/jobs/{job_id}/report", summary="The JSON report (as `optiagent optimize --json`)")
    async def report(job_id: str, _: Authenticated) -> JSONResponse:
        job = await find(job_id)
        if job.status is not JobStatus.SUCCEEDED:
            detail = f"job {job_id} is {job.status.value}; the report exists once it has succeeded"
            raise Problem(409, detail + (f" (error: {job.error})" if job.error else ""))
        body = await run_in_threadpool(jobs.report, job_id)
        return JSONResponse(body)

    @v1.get("/jobs/{job_id}/events", summary="Server-sent events of progress, until the job ends")
    async def events(job_id: str, _: Authenticated) -> StreamingResponse:
        await find(job_id)

        async def stream() -> AsyncIterator[str]:
            last: dict[str, Any] | None = None
            quiet = 0.0
            while True:
                job = await find(job_id)
                view = job_view(job)
                if view != last:
                    yield f"event: progress\ndata: {json.dumps(view)}\n\n"
                    last, quiet = view, 0.0
                if job.status.terminal:
                    yield f"event: end\ndata: {json.dumps(view)}\n\n"
                    return
                await asyncio.sleep(EVENT_POLL_S)
                quiet += EVENT_POLL_S
                if quiet >= KEEPALIVE_S:
                    yield ": keep-alive\n\n"
                    quiet = 0.0

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    @v1.post("/jobs/{job_id}/cancel", summary="Cancel a job (running targets finish, nothing new starts)")
    async def cancel(job_id: str, _: Authenticated) -> dict[str, Any]:
        job = await find(job_id)
        if job.status.terminal:
            raise Problem(409, f"job {job_id} already ended: {job.status.value}")
        cancelled = await run_in_threadpool(jobs.cancel_job, job_id)
        assert cancelled is not None
        return job_view(cancelled)

    @v1.get("/edits", summary="Accepted edits from history")
    async def accepted_edits(
        _: Authenticated,
        repo: Annotated[str | None, Query(description="Only this repository (URL or archive name).")] = None,
        since: Annotated[datetime | None, Query(description="ISO 8601 instant with an offset.")] = None,
    ) -> list[dict[str, Any]]:
        if since is not None and since.tzinfo is None:
            raise Problem(422, "since needs a UTC offset, e.g. 2026-01-01T00:00:00Z")
        found = await run_in_threadpool(edits.accepted_edits, repo, since)
        return [
            {
                "id": e.id,
                "run_id": e.run_id,
                "repo": e.repo,
                "file": e.file,
                "qualname": e.qualname,
                "speedup": e.speedup,
                "ci": [e.ci_low, e.ci_high],
                "strategy": e.strategy,
                "rules": list(e.rules),
                "diff": e.diff,
                "applied": e.applied,
                "created_at": e.created_at.isoformat(),
            }
            for e in found
        ]

    @v1.get("/health", summary="Liveness and dependencies (no token needed)")
    async def health() -> JSONResponse:
        try:
            await run_in_threadpool(jobs.get_job, "health-probe")
            database = "ok"
        except Exception:
            database = "unavailable"
        broker = "unknown"
        if ping_broker is not None:
            broker = "ok" if await run_in_threadpool(ping_broker) else "unavailable"
        healthy = database == "ok" and broker != "unavailable"
        body = {"status": "ok" if healthy else "degraded", "database": database, "broker": broker}
        return JSONResponse(body, status_code=200 if healthy else 503)

    app.include_router(v1)
    return app
