"""What the API's routes answer, as pydantic models: the OpenAPI document describes each of them.

The report itself is `optiagent.reporting.models.RunReport` (the `--json` document); these are the
service's own shapes: a job's status, a submission's answer, an accepted edit, health, problems.
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from optiagent.domain.history import AcceptedEdit
from optiagent.domain.jobs import Job, JobStatus


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Progress(_Model):
    targets_done: int = Field(description="Targets finished (improved, unchanged or failed).")
    targets_total: int | None = Field(description="Targets planned; null until the job is prepared.")


class JobView(_Model):
    """A job's status and progress (also the data of every event of its stream)."""

    id: str
    status: JobStatus
    repo: str = Field(description="Identity in history: the URL cloned, or archive:<tenant>/<name>.")
    progress: Progress
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(description="Why a failed job failed.")

    @classmethod
    def of(cls, job: Job) -> JobView:
        return cls(
            id=job.id,
            status=job.status,
            repo=job.spec.repo,
            progress=Progress(targets_done=job.targets_done, targets_total=job.targets_total),
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            error=job.error or None,
        )


class JobCreated(_Model):
    id: str
    status: JobStatus


class EditView(_Model):
    """An accepted edit from the tenant's history."""

    id: str
    run_id: str
    repo: str
    file: str
    qualname: str
    speedup: float
    ci: tuple[float, float] = Field(description="The speedup's confidence interval (low, high).")
    strategy: str
    rules: list[str]
    diff: str
    applied: bool
    created_at: datetime

    @classmethod
    def of(cls, edit: AcceptedEdit) -> EditView:
        return cls(
            id=edit.id,
            run_id=edit.run_id,
            repo=edit.repo,
            file=edit.file,
            qualname=edit.qualname,
            speedup=edit.speedup,
            ci=(edit.ci_low, edit.ci_high),
            strategy=edit.strategy,
            rules=list(edit.rules),
            diff=edit.diff,
            applied=edit.applied,
            created_at=edit.created_at,
        )


Dependency = Literal["ok", "unavailable", "unknown"]


class Health(_Model):
    status: Literal["ok", "degraded"]
    database: Dependency
    broker: Dependency


class ProblemDetails(BaseModel):
    """An error as RFC 9457 problem details (application/problem+json)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route that answers these statuses with problem details (served as
    application/problem+json: see problems.problem_media_types)."""
    return {
        status: {"model": ProblemDetails, "description": HTTPStatus(status).phrase} for status in statuses
    }
