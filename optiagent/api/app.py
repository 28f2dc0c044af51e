"""The FastAPI application: jobs, their reports and progress, accepted edits, health.

Everything a token reaches is its tenant's: another tenant's job answers 404 (as a job that does
not exist: its id reveals nothing), edits are listed only from the tenant's own history, and an
archive's repository identity is `archive:<tenant>/<name>` whatever name the client sends.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.sse import EventSourceResponse

from optiagent.api import problems
from optiagent.api.auth import Authenticated
from optiagent.api.events import EventId, StreamOver, job_events
from optiagent.api.limits import Limits, MemoryLimits
from optiagent.api.problems import Problem
from optiagent.api.schemas import Dependency, EditView, Health, JobCreated, JobView, problem_responses
from optiagent.api.uploads import BodyLimit, GitJob, spec_from_form, spec_from_json
from optiagent.domain.errors import InputError
from optiagent.domain.jobs import ApiToken, Job, JobStatus, SourceKind
from optiagent.github_app.webhook import WEBHOOK_PATH
from optiagent.github_app.webhook import router as github_webhook
from optiagent.github_app.wiring import MAX_WEBHOOK_BYTES
from optiagent.ports.jobs import AsyncJobReader, JobQueue, JobStore
from optiagent.ports.store import EditStore
from optiagent.reporting.html import CSP, render_html
from optiagent.reporting.models import RunReport
from optiagent.reporting.plots import require_matplotlib
from optiagent.services.jobs import submit_job
from optiagent.services.tenancy import archive_identity
from optiagent.services.workspace import ArchiveLimits, RepositoryPolicy

STREAM_RETRY_AFTER_S = 5  # a token at its cap of open event streams
MAX_LISTED_JOBS = 100


@dataclass(frozen=True)
class ApiConfig:
    max_upload_bytes: int = 20 * 2**20
    limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    repositories: RepositoryPolicy = field(default_factory=RepositoryPolicy)
    check_strategies: Callable[[Sequence[str]], object] | None = None  # raises ConfigError if unknown


# The page runs no script and fetches nothing (its own CSP says so too); the headers repeat it.
PAGE_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}


def html_page(report: Mapping[str, object]) -> str:
    try:
        require_matplotlib()
    except InputError as error:
        raise Problem(501, f"this server cannot render HTML reports ({error})") from None
    return render_html(RunReport.model_validate(report))


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
                        "repo": {
                            "type": "string",
                            "description": "name of the code in history (kept as archive:<tenant>/<name>)",
                        },
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
    limits: Limits | None = None,
) -> FastAPI:
    app = FastAPI(
        title="optiagent",
        version="1",
        description="Makes Python code faster and proves it correct, as a service.",
    )
    app.state.jobs, app.state.edits, app.state.queue = jobs, edits, queue
    app.state.token_cache = {}
    app.state.limits = limits or MemoryLimits()
    problems.install(app)
    app.add_exception_handler(StreamOver, lambda _request, _error: Response(status_code=204))
    app.add_middleware(
        BodyLimit,
        max_bytes=config.max_upload_bytes + 2**20,  # room for form fields
        path_limits={WEBHOOK_PATH: MAX_WEBHOOK_BYTES},  # the route bounds (and reads) its own body
    )
    v1 = APIRouter(prefix="/v1")

    async def find(job_id: str, token: ApiToken) -> Job:
        """The job if it is the token's tenant's; another tenant's is as absent as a missing one."""
        job = await reader.get_job(job_id) if reader else await run_in_threadpool(jobs.get_job, job_id)
        if job is None or job.tenant != token.tenant:
            raise Problem(404, f"no job {job_id}")
        return job

    @v1.post(
        "/jobs",
        status_code=201,
        openapi_extra=SUBMIT_BODY,
        summary="Submit a job",
        responses=problem_responses(400, 401, 413, 415, 422, 429, 503),
    )
    async def submit(
        request: Request,
        token: Authenticated,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
    ) -> JobCreated:
        """An archive upload (multipart field `archive`) or a git repository (JSON `repo_url`, `ref`)."""
        content_type = request.headers.get("content-type", "")
        archive: bytes | None = None
        if content_type.startswith("multipart/form-data"):
            spec, archive = await spec_from_form(request, config.limits, config.max_upload_bytes)
        elif content_type.startswith("application/json"):
            spec = await spec_from_json(request, config.repositories)
        else:
            raise Problem(415, "send multipart/form-data with an `archive` file, or JSON with `repo_url`")
        if spec.source is SourceKind.ARCHIVE:  # the client names it; the tenant owns the name
            spec = replace(spec, repo=archive_identity(token.tenant, spec.repo))
        if config.check_strategies is not None:
            config.check_strategies(spec.strategies or ("catalogue",))
        job = await run_in_threadpool(
            submit_job, jobs, queue, spec, archive, token.id, idempotency_key, token.tenant
        )
        return JobCreated(id=job.id, status=job.status)

    @v1.get("/jobs", summary="The tenant's newest jobs", responses=problem_responses(401, 422, 429))
    async def list_jobs(
        token: Authenticated,
        limit: Annotated[int, Query(ge=1, le=MAX_LISTED_JOBS)] = 20,
    ) -> list[JobView]:
        found = await run_in_threadpool(jobs.jobs_of, token.tenant, limit)
        return [JobView.of(job) for job in found]

    @v1.get(
        "/jobs/{job_id}", summary="Status and progress of a job", responses=problem_responses(401, 404, 429)
    )
    async def status(job_id: str, token: Authenticated) -> JobView:
        return JobView.of(await find(job_id, token))

    async def succeeded_report(job_id: str, token: ApiToken) -> Mapping[str, object] | None:
        job = await find(job_id, token)
        if job.status is not JobStatus.SUCCEEDED:
            detail = f"job {job_id} is {job.status.value}; the report exists once it has succeeded"
            raise Problem(409, detail + (f" (error: {job.error})" if job.error else ""))
        return await run_in_threadpool(jobs.report, job_id)

    @v1.get(
        "/jobs/{job_id}/report",
        summary="The JSON report (as `optiagent optimize --json`)",
        response_model=RunReport,
        responses=problem_responses(401, 404, 409, 429),
    )
    async def report(job_id: str, token: Authenticated) -> JSONResponse:
        return JSONResponse(await succeeded_report(job_id, token))

    @v1.get(
        "/jobs/{job_id}/report.html",
        summary="The report as one self-contained HTML page (plots, diffs, evidence)",
        response_class=HTMLResponse,
        responses=problem_responses(401, 404, 409, 429, 501),
    )
    async def report_html(job_id: str, token: Authenticated) -> HTMLResponse:
        body = await succeeded_report(job_id, token)
        page = await run_in_threadpool(html_page, body or {})
        return HTMLResponse(page, headers=PAGE_HEADERS)

    async def stream_slot(
        job_id: str,
        token: Authenticated,
        last_event_id: Annotated[
            str | None, Header(alias="Last-Event-ID", description="Resume after this event.")
        ] = None,
    ) -> AsyncIterator[tuple[EventId | None, float]]:
        """Checks before the stream starts (the tenant's job, one of the token's few streams), and
        frees the stream's place once it ends: (where to resume, when the stream must end)."""
        job = await find(job_id, token)
        resume = EventId.parse(last_event_id)
        if resume is not None and resume.ended and job.status.terminal:
            raise StreamOver()
        limiter: Limits = app.state.limits
        handle = await limiter.open_stream(token.id)
        if handle is None:
            detail = f"this token has {limiter.settings.max_streams} event streams open already"
            raise Problem(429, detail, {"Retry-After": str(STREAM_RETRY_AFTER_S)})
        try:
            yield resume, time.monotonic() + limiter.settings.max_stream_s
        finally:
            await limiter.close_stream(token.id, handle)

    @v1.get(
        "/jobs/{job_id}/events",
        summary="Server-sent events of progress, until the job ends (or the stream's time is up)",
        response_class=EventSourceResponse,
        responses={
            204: {"description": "The stream ended before (Last-Event-ID of its `end`)."},
            **problem_responses(401, 404, 429),
        },
    )
    async def events(
        job_id: str,
        token: Authenticated,
        # A default, not Annotated: the dependency is local to this app, and annotations are strings.
        slot: tuple[EventId | None, float] = Depends(stream_slot),
    ) -> AsyncIterator[JobView]:
        """`progress` events (data: the job's view) while it changes, then `end`, or `timeout` when
        the stream's time is up. Event ids are progress marks: reconnect with `Last-Event-ID` to get
        only what is newer."""
        resume, deadline = slot
        async for event in job_events(lambda: find(job_id, token), resume, deadline):
            # FastAPI sends ServerSentEvent items as they are; the annotation names their data
            # for the OpenAPI document.
            yield event  # type: ignore[misc]

    @v1.post(
        "/jobs/{job_id}/cancel",
        summary="Cancel a job (running targets finish, nothing new starts)",
        responses=problem_responses(401, 404, 409, 429),
    )
    async def cancel(job_id: str, token: Authenticated) -> JobView:
        job = await find(job_id, token)
        if job.status.terminal:
            raise Problem(409, f"job {job_id} already ended: {job.status.value}")
        cancelled = await run_in_threadpool(jobs.cancel_job, job_id)
        assert cancelled is not None
        return JobView.of(cancelled)

    @v1.get(
        "/edits",
        summary="The tenant's accepted edits from history",
        responses=problem_responses(401, 422, 429),
    )
    async def accepted_edits(
        token: Authenticated,
        repo: Annotated[str | None, Query(description="Only this repository (URL or archive name).")] = None,
        since: Annotated[datetime | None, Query(description="ISO 8601 instant with an offset.")] = None,
    ) -> list[EditView]:
        if since is not None and since.tzinfo is None:
            raise Problem(422, "since needs a UTC offset, e.g. 2026-01-01T00:00:00Z")
        found = await run_in_threadpool(edits.accepted_edits, repo, since, token.tenant)
        return [EditView.of(edit) for edit in found]

    @v1.get(
        "/health",
        summary="Liveness and dependencies (no token needed)",
        response_model=Health,
        responses={503: {"model": Health, "description": "The database or the broker is unavailable."}},
    )
    async def health() -> JSONResponse:
        database: Dependency = "ok"
        try:
            await run_in_threadpool(jobs.get_job, "health-probe")
        except Exception:
            database = "unavailable"
        broker: Dependency = "unknown"
        if ping_broker is not None:
            broker = "ok" if await run_in_threadpool(ping_broker) else "unavailable"
        healthy = database == "ok" and broker != "unavailable"
        body = Health(status="ok" if healthy else "degraded", database=database, broker=broker)
        return JSONResponse(body.model_dump(mode="json"), status_code=200 if healthy else 503)

    app.include_router(v1)
    app.include_router(github_webhook)  # signed by GitHub, no bearer token (optiagent/github_app)
    return app
