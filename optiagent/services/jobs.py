"""The optimization service's use cases: submit a job, then prepare it, run each target, finalize.

Each step is a separate worker task that carries only ids, claims its step in the JobStore first
(so a redelivered task never runs a live step twice) and reuses the same functions as the CLI's
optimize(): plan_project, run_planned_target, start_run and finish_run.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import structlog

from optiagent.domain.errors import ConfigError, InputError
from optiagent.domain.jobs import (
    DEFAULT_TENANT,
    ClaimState,
    Job,
    JobSpec,
    JobStatus,
    PlannedTarget,
    SourceKind,
)
from optiagent.domain.report import Report, TargetReport, TargetStatus
from optiagent.ports.jobs import JobQueue, JobStore
from optiagent.ports.sandbox import InterpreterUnavailableError, SandboxUnavailableError
from optiagent.ports.store import StoreUnavailableError
from optiagent.services.compose import compose_project
from optiagent.services.job_codec import (
    decode_target_job,
    decode_target_report,
    encode_target_job,
    encode_target_report,
)
from optiagent.services.optimize import (
    finish_run,
    plan_project,
    resolve_projects,
    run_planned_target,
    start_run,
)
from optiagent.services.project_config import confine
from optiagent.services.requests import OptimizeRequest
from optiagent.services.target_run import Services, derived_id
from optiagent.services.workspace import (
    ArchiveLimits,
    RepositoryPolicy,
    fetch_repository,
    pack_directory,
    project_root,
    unpack_archive,
)

log = structlog.get_logger("optiagent.jobs")
T = TypeVar("T")
DEFAULT_MAX_TARGETS = 6  # the CLI's --max-targets default


@dataclass(frozen=True)
class ServiceConfig:
    workspace: Path
    lease_s: float = 60.0
    max_worker_deaths: int = 2
    requeue_after_s: float = 300.0
    store_outage_s: float = 600.0  # how long a step waits for the database to come back
    limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    repositories: RepositoryPolicy = field(default_factory=RepositoryPolicy)


def submit_job(
    jobs: JobStore,
    queue: JobQueue,
    spec: JobSpec,
    archive: bytes | None,
    token_id: str | None,
    idempotency_key: str | None,
    tenant: str = DEFAULT_TENANT,
) -> Job:
    """Records the job, and only once it is committed enqueues its first task. A retried submission
    with the same idempotency key returns the first job. An enqueue that fails (broker down) is
    made up for by the sweep."""
    job = Job(
        id=uuid.uuid4().hex,
        status=JobStatus.QUEUED,
        spec=spec,
        created_at=datetime.now(UTC),
        token_id=token_id,
        idempotency_key=idempotency_key,
        tenant=tenant,
    )
    stored = jobs.create_job(job, archive)
    if stored.id == job.id:
        _enqueue(lambda: queue.prepare(job.id))
    return stored


def _enqueue(send: Callable[[], None]) -> bool:
    try:
        send()
    except Exception as error:  # the broker is down: the row is durable and the sweep re-sends
        log.warning("enqueue_failed", error=str(error))
        return False
    return True


@contextmanager
def heartbeat(beat: Callable[[], None], interval_s: float) -> Iterator[None]:
    """Calls `beat` every interval while the block runs: the claim stays alive with the worker."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_s):
            with suppress(Exception):  # a database blip must not kill the step; the lease is long
                beat()

    thread = threading.Thread(target=loop, name="optiagent-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


class JobRunner:
    """Runs the steps of jobs on one worker process."""

    def __init__(
        self,
        jobs: JobStore,
        queue: JobQueue,
        services_for: Callable[[Sequence[str], str], Services],  # (strategies, tenant)
        sandbox_name: str,
        config: ServiceConfig,
    ) -> None:
        self.jobs, self.queue, self.services_for = jobs, queue, services_for
        self.sandbox_name, self.config = sandbox_name, config
        self.owner = uuid.uuid4().hex

    # -- steps ---------------------------------------------------------------------------------

    def prepare(self, job_id: str) -> ClaimState:
        """Unpacks (or clones), discovers, profiles and ranks the job's targets, then fans out."""
        config = self.config
        claim = self._patiently(
            lambda: self.jobs.claim_prepare(job_id, self.owner, config.lease_s, config.max_worker_deaths)
        )
        if claim.state is ClaimState.DONE:
            self._dispatch(job_id)
        if claim.state is not ClaimState.CLAIMED:
            return claim.state
        beat = lambda: self.jobs.heartbeat_prepare(job_id, self.owner)  # noqa: E731
        with heartbeat(beat, config.lease_s / 4):
            job = self._job(job_id)
            try:
                plan, targets = self._patiently(lambda: self._plan(job))
            except (InputError, ConfigError, InterpreterUnavailableError) as error:
                self.jobs.finish_job(job_id, JobStatus.FAILED, None, str(error))
                return ClaimState.STOPPED
            except StoreUnavailableError:
                raise
            except SandboxUnavailableError:  # no Docker now: hand the step back; the task retries later
                self.jobs.release_prepare(job_id, self.owner)
                raise
            except Exception as error:  # a bug, not a dead worker: fail now, with the reason
                log.exception("prepare_failed", job=job_id)
                reason = f"internal error while preparing: {type(error).__name__}: {error}"
                self.jobs.finish_job(job_id, JobStatus.FAILED, None, reason)
                return ClaimState.STOPPED
            self._patiently(lambda: self.jobs.save_plan(job_id, plan, targets))
        self._dispatch(job_id)
        return ClaimState.CLAIMED

    def run_target(self, job_id: str, index: int) -> ClaimState:
        config = self.config
        claim = self._patiently(
            lambda: self.jobs.claim_target(
                job_id, index, self.owner, config.lease_s, config.max_worker_deaths
            )
        )
        if claim.state is ClaimState.DONE:
            self._maybe_finalize(job_id)
        if claim.state is not ClaimState.CLAIMED:
            return claim.state
        beat = lambda: self.jobs.heartbeat_target(job_id, index, self.owner)  # noqa: E731
        with heartbeat(beat, config.lease_s / 4):
            job = self._job(job_id)
            root = self._patiently(lambda: self.materialize(job))
            planned = self._patiently(lambda: self.jobs.target(job_id, index))
            if planned is None:
                raise KeyError(f"job {job_id} has no target {index}")
            try:
                result = self._patiently(lambda: self._run(job, planned, root))
            except SandboxUnavailableError:  # no Docker now: hand the target back; the task retries later
                self.jobs.release_target(job_id, index, self.owner)
                raise
            encoded = encode_target_report(result)
            if not self._patiently(lambda: self.jobs.finish_target(job_id, index, self.owner, encoded)):
                log.warning("target_lease_lost", job=job_id, target=index)  # a successor's result stands
        self._maybe_finalize(job_id)
        return ClaimState.CLAIMED

    def finalize(self, job_id: str) -> bool:
        """Assembles the report once every target is done; True when this call finished the job."""
        job = self._patiently(lambda: self._job(job_id))
        plan = self.jobs.plan(job_id)
        if job.status.terminal or plan is None or job.targets_done < (job.targets_total or 0):
            return False
        results = [decode_target_report(r) for r in self.jobs.target_results(job_id)]
        report = Report(
            run_id=job.id,
            root=str(plan["root"]),
            strategies=[str(s) for s in _list(plan["strategies"])],
            sandbox=self.sandbox_name,
        )
        outcomes: list[tuple[list[dict[str, str]], list[TargetReport]]] = []
        services = self.services_for(report.strategies, job.tenant)
        cursor = 0
        for project in _list(plan["projects"]):
            count = int(project["targets"])
            self._compose(job, services, cursor, results[cursor : cursor + count])
            lines = [decode_target_report(n) for n in project["notes"]] + results[cursor : cursor + count]
            outcomes.append((list(project["skipped"]), lines))
            cursor += count
        started = job.started_at or job.created_at
        self._patiently(
            lambda: finish_run(report, outcomes, services, (datetime.now(UTC) - started).total_seconds())
        )
        finished = self._patiently(
            lambda: self.jobs.finish_job(job_id, JobStatus.SUCCEEDED, report.to_json())
        )
        shutil.rmtree(self.config.workspace / job_id, ignore_errors=True)
        return finished

    def sweep(self) -> int:
        """Re-enqueues work that waited too long (a lost message, a dead worker, a broker restart)
        and removes this machine's copies of finished jobs. Returns how much it re-enqueued."""
        config = self.config
        sent = 0
        for work in self.jobs.stalled_work(config.requeue_after_s, config.lease_s):
            if work.step == "prepare":
                ok = _enqueue(lambda w=work: self.queue.prepare(w.job_id))  # type: ignore[misc]
            elif work.step == "target":
                ok = _enqueue(lambda w=work: self.queue.run_target(w.job_id, w.index))  # type: ignore[misc]
            else:
                ok = _enqueue(lambda w=work: self.queue.finalize(w.job_id))  # type: ignore[misc]
            if ok:
                self.jobs.mark_enqueued(work.job_id, work.step, work.index)
                sent += 1
        self._remove_finished_workspaces()
        return sent

    # -- pieces --------------------------------------------------------------------------------

    def request_for(self, spec: JobSpec, root: Path) -> OptimizeRequest:
        return OptimizeRequest(
            root=root,
            workload=spec.workload,
            functions=spec.functions,
            strategies=spec.strategies,
            min_speedup=spec.min_speedup,
            max_targets=spec.budget or DEFAULT_MAX_TARGETS,
            time_budget_s=None,  # a service job is bounded by its target count, spread over workers
            cwd=root,  # a workload runs at the job's root
            repo=spec.repo,
            untrusted=True,  # the job's files are a stranger's: data, never authority
        )

    def _plan(self, job: Job) -> tuple[dict[str, Any], list[PlannedTarget]]:
        root = self.materialize(job)
        request = self.request_for(job.spec, root)
        services = self.services_for(request.strategies, job.tenant)
        report = start_run(request, services, self.sandbox_name, job.id)
        projects: list[dict[str, Any]] = []
        targets: list[PlannedTarget] = []
        for resolved in resolve_projects(request):
            config, layout = confine(resolved.config, resolved.layout, root)
            project = replace(resolved, config=config, layout=layout)
            plan = plan_project(project, request, services, job.id, report.root)
            projects.append(
                {
                    "skipped": plan.skipped,
                    "notes": [encode_target_report(n) for n in plan.notes],
                    "targets": len(plan.jobs),
                }
            )
            for planned in plan.jobs:
                label = f"{planned.report_file}::{planned.target.qualname}"
                fixed = replace(planned, target_id=derived_id(job.id, label))
                payload = encode_target_job(fixed, plan.min_speedup, root)
                targets.append(PlannedTarget(len(targets), label, payload))
        return {"root": report.root, "strategies": report.strategies, "projects": projects}, targets

    def _run(self, job: Job, planned: PlannedTarget, root: Path) -> TargetReport:
        target_job, min_speedup = decode_target_job(planned.payload, root)
        services = self.services_for(job.spec.strategies, job.tenant)
        try:
            if target_job.evidence.python is not None:  # a plan from before confinement: never run it
                raise ConfigError("a service job may not choose its interpreter")
            return run_planned_target(services, target_job, min_speedup)
        except StoreUnavailableError:
            raise
        except SandboxUnavailableError as error:
            if not isinstance(error, InterpreterUnavailableError):  # an outage, not this job's fault
                raise
            return TargetReport(
                file=target_job.report_file,
                qualname=target_job.target.qualname,
                status=TargetStatus.FAILED,
                reason=str(error)[:2000],
            )
        except Exception as error:  # one broken target must not sink the job; the report says why
            log.exception("target_failed", job=job.id, target=planned.label)
            return TargetReport(
                file=target_job.report_file,
                qualname=target_job.target.qualname,
                status=TargetStatus.FAILED,
                reason=f"internal error: {type(error).__name__}: {error}"[:2000],
            )

    def _compose(self, job: Job, services: Services, first: int, results: list[TargetReport]) -> None:
        """As the CLI does per project: each file's accepted edits composed and checked together."""
        if not any(result.status is TargetStatus.IMPROVED for result in results):
            return
        root = self._patiently(lambda: self.materialize(job))
        target_jobs = []
        for index in range(first, first + len(results)):
            planned = self._patiently(partial(self.jobs.target, job.id, index))
            if planned is not None:
                target_jobs.append(decode_target_job(planned.payload, root)[0])
        compose_project(services, target_jobs, results)

    def materialize(self, job: Job) -> Path:
        """The job's code on this machine, unpacked from the archive every worker shares.

        A git job is cloned once, by whichever worker prepares it, and its checkout stored as the
        job's archive so every worker optimizes the same commit."""
        directory = self.config.workspace / job.id / "src"
        descend = job.spec.source is SourceKind.ARCHIVE
        if not directory.exists():
            data = self.jobs.archive(job.id)
            if data is None:
                data = self._checkout(job)
            try:
                unpack_archive(data, directory, self.config.limits)
            except OSError:
                if not directory.exists():  # another task of this job on this machine won the race
                    raise
        return project_root(directory) if descend else directory

    def _checkout(self, job: Job) -> bytes:
        url = job.spec.repo_url
        if not url:
            raise InputError("the job has neither an archive nor a repo_url")
        scratch = self.config.workspace / job.id / f"clone-{uuid.uuid4().hex[:8]}"
        scratch.parent.mkdir(parents=True, exist_ok=True)
        try:
            fetch_repository(url, job.spec.ref, scratch, self.config.repositories)
            self.jobs.save_archive(job.id, pack_directory(scratch))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        data = self.jobs.archive(job.id)
        assert data is not None
        return data

    def _dispatch(self, job_id: str) -> None:
        for index in self.jobs.pending_targets(job_id):
            if _enqueue(lambda i=index: self.queue.run_target(job_id, i)):  # type: ignore[misc]
                self.jobs.mark_enqueued(job_id, "target", index)
        self._maybe_finalize(job_id)

    def _maybe_finalize(self, job_id: str) -> None:
        job = self.jobs.get_job(job_id)
        if job is None or job.status.terminal or job.targets_total is None:
            return
        if job.targets_done >= job.targets_total:
            _enqueue(lambda: self.queue.finalize(job_id))

    def _job(self, job_id: str) -> Job:
        job = self.jobs.get_job(job_id)
        if job is None:
            raise KeyError(f"no job with id {job_id!r}")
        return job

    def _patiently(self, action: Callable[[], T]) -> T:
        """Runs `action`, retrying through a database outage (every step is idempotent)."""
        deadline = time.monotonic() + self.config.store_outage_s
        pause = 0.5
        while True:
            try:
                return action()
            except StoreUnavailableError as error:
                if time.monotonic() > deadline:
                    raise
                log.warning("store_unavailable", error=str(error)[:200], retry_in=pause)
                time.sleep(pause)
                pause = min(pause * 2, 10.0)

    def _remove_finished_workspaces(self) -> None:
        workspace = self.config.workspace
        if not workspace.is_dir():
            return
        names = [p.name for p in workspace.iterdir() if p.is_dir() and not p.name.startswith(".")]
        terminal = getattr(self.jobs, "terminal_jobs", None)
        if names and terminal is not None:
            for name in terminal(names):
                shutil.rmtree(workspace / name, ignore_errors=True)


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []
