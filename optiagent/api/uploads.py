"""Request bodies of POST /v1/jobs: a bounded size, and the job spec from a form or JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, ValidationError, field_validator
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from optiagent.api.problems import Problem
from optiagent.domain.errors import InputError
from optiagent.domain.jobs import JobSpec, SourceKind
from optiagent.services.repositories import check_ref
from optiagent.services.workspace import ArchiveLimits, RepositoryPolicy, check_archive, check_repository_url

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Options(BaseModel):
    """Run options, shared by both kinds of submission."""

    workload: str | None = Field(None, description="Command whose run is profiled, e.g. `python bench.py`.")
    functions: list[str] = Field(default_factory=list, description="Only these qualnames.")
    strategies: list[str] = Field(
        default_factory=list, description="Candidate strategies (default catalogue)."
    )
    min_speedup: float | None = Field(None, gt=0, description="Accept when the CI lower bound reaches this.")
    budget: int | None = Field(None, ge=1, le=100, description="At most this many targets per project.")


class GitJob(Options):
    repo_url: str = Field(description="https:// git URL (file:// for local use when the server allows it).")
    ref: str | None = Field(None, description="Branch, tag or commit (default: the default branch).")

    @field_validator("ref")
    @classmethod
    def _plain_ref(cls, ref: str | None) -> str | None:
        try:
            return check_ref(ref)
        except InputError as error:
            raise ValueError(str(error)) from error


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuses request bodies over `max_bytes` (413), whether or not they declare a length; a path
    of `path_limits` has its own bound instead (GitHub's webhook deliveries: up to 25 MB)."""

    def __init__(self, app: ASGIApp, max_bytes: int, path_limits: Mapping[str, int] | None = None) -> None:
        self.app, self.max_bytes, self.path_limits = app, max_bytes, dict(path_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.path_limits.get(scope.get("path", ""), self.max_bytes)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await _too_large(send, limit)


async def _too_large(send: Send, max_bytes: int) -> None:
    import json

    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"the request body is larger than {max_bytes / 2**20:g} MB",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/problem+json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _strings(form: FormData, name: str) -> list[str]:
    values: list[str] = []
    for value in form.getlist(name):
        if isinstance(value, str):
            values.extend(part.strip() for part in value.split(",") if part.strip())
    return values


def _options(form: FormData) -> Options:
    def text(name: str) -> str | None:
        value = form.get(name)
        return value if isinstance(value, str) and value.strip() else None

    try:
        return Options(
            workload=text("workload"),
            functions=_strings(form, "functions"),
            strategies=_strings(form, "strategies"),
            min_speedup=text("min_speedup"),  # type: ignore[arg-type]
            budget=text("budget"),  # type: ignore[arg-type]
        )
    except ValidationError as error:
        raise Problem(422, "invalid option: " + "; ".join(e["msg"] for e in error.errors())) from error


async def spec_from_form(request: Request, limits: ArchiveLimits, max_bytes: int) -> tuple[JobSpec, bytes]:
    form = await request.form(max_files=1, max_fields=20)
    upload = form.get("archive")
    if not isinstance(upload, UploadFile):
        raise Problem(422, "multipart field `archive` (a .tar.gz or .zip file) is required")
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Problem(413, f"the archive is larger than {max_bytes / 2**20:g} MB")
    await run_in_threadpool(check_archive, data, limits)
    options = _options(form)
    name = form.get("repo")
    repo = name if isinstance(name, str) and name.strip() else f"archive:{upload.filename or 'upload'}"
    spec = JobSpec(
        source=SourceKind.ARCHIVE,
        repo=repo,
        workload=options.workload,
        functions=tuple(options.functions),
        strategies=tuple(options.strategies),
        min_speedup=options.min_speedup,
        budget=options.budget,
    )
    return spec, data


async def spec_from_json(request: Request, policy: RepositoryPolicy) -> JobSpec:
    try:
        body = GitJob.model_validate(await request.json())
    except ValidationError as error:  # what was wrong, never the values (a URL may hold a token)
        fields = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors())
        raise Problem(422, f"invalid JSON job: {fields}") from error
    except ValueError as error:
        raise Problem(422, "invalid JSON job: the body is not valid JSON") from error
    # resolving the host blocks: off the event loop; the worker checks again before fetching
    checked = await run_in_threadpool(check_repository_url, body.repo_url, policy)
    return JobSpec(
        source=SourceKind.GIT,
        repo=checked.url,
        repo_url=checked.url,
        ref=body.ref,
        workload=body.workload,
        functions=tuple(body.functions),
        strategies=tuple(body.strategies),
        min_speedup=body.min_speedup,
        budget=body.budget,
    )
