"""Jobs of the optimization service: what was asked, where it stands, and who may ask."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

DEFAULT_TENANT = "default"  # tokens made before tenants existed, and their jobs


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class SourceKind(StrEnum):
    ARCHIVE = "archive"
    GIT = "git"


@dataclass(frozen=True)
class JobSpec:
    """The code to optimize and the options of the run (the API's POST body)."""

    source: SourceKind
    repo: str  # identity in history: the git URL, or the archive's name
    repo_url: str | None = None
    ref: str | None = None
    workload: str | None = None
    functions: tuple[str, ...] = ()
    strategies: tuple[str, ...] = ()
    min_speedup: float | None = None
    budget: int | None = None  # at most this many targets per project

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source.value,
            "repo": self.repo,
            "repo_url": self.repo_url,
            "ref": self.ref,
            "workload": self.workload,
            "functions": list(self.functions),
            "strategies": list(self.strategies),
            "min_speedup": self.min_speedup,
            "budget": self.budget,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> JobSpec:
        min_speedup, budget = data.get("min_speedup"), data.get("budget")
        return cls(
            source=SourceKind(str(data["source"])),
            repo=str(data["repo"]),
            repo_url=_optional_str(data.get("repo_url")),
            ref=_optional_str(data.get("ref")),
            workload=_optional_str(data.get("workload")),
            functions=tuple(str(f) for f in _list(data.get("functions"))),
            strategies=tuple(str(s) for s in _list(data.get("strategies"))),
            min_speedup=float(min_speedup) if isinstance(min_speedup, int | float) else None,
            budget=int(budget) if isinstance(budget, int) else None,
        )


@dataclass(frozen=True)
class Job:
    id: str
    status: JobStatus
    spec: JobSpec
    created_at: datetime
    token_id: str | None = None
    idempotency_key: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    targets_total: int | None = None  # known once the job is prepared
    targets_done: int = 0
    error: str = ""
    tenant: str = DEFAULT_TENANT  # the submitting token's: only that tenant's tokens see the job


class ClaimState(StrEnum):
    CLAIMED = "claimed"  # the caller now runs the step
    DONE = "done"  # already finished by someone: nothing to run
    BUSY = "busy"  # a live worker holds it: try again later
    STOPPED = "stopped"  # the job is cancelled, failed or finished
    EXHAUSTED = "exhausted"  # workers died on it too often: the job was failed


@dataclass(frozen=True)
class Claim:
    state: ClaimState
    attempts: int = 0


@dataclass(frozen=True)
class PlannedTarget:
    """One target of a prepared job, as a worker task will run it (payload is opaque JSON)."""

    index: int
    label: str  # file::qualname
    payload: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiToken:
    id: str
    name: str
    created_at: datetime
    tenant: str = DEFAULT_TENANT
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def valid_at(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True)
class StalledWork:
    """Work the sweep re-enqueues: a job to prepare, a target to run, or a job to finalize."""

    job_id: str
    step: str  # prepare | target | finalize
    index: int = -1


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []
