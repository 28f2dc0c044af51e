"""The optimize use case: discover and rank targets, then run each through the pipeline."""

from __future__ import annotations

import shlex
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from optiagent.domain.errors import InputError
from optiagent.domain.history import RunRecord
from optiagent.domain.report import Report, TargetReport, TargetStatus
from optiagent.domain.targets import PROGRAM_QUALNAME, Target, TargetKind
from optiagent.rewrite.functions import docstring_examples
from optiagent.services.discovery import Discovery, discover, is_test_or_setup_file, rank_static
from optiagent.services.profiling import WorkloadProfile, profile_workload, rank_from_profile
from optiagent.services.project_config import ProjectConfig, find_projects, read_project_config
from optiagent.services.requests import DEFAULT_MIN_SPEEDUP, DEFAULT_STRATEGIES, OptimizeRequest
from optiagent.services.target_run import Services, TargetJob, run_target
from optiagent.verify.jobs import Evidence
from optiagent.verify.modules import module_location


@dataclass(frozen=True)
class Project:
    """A directory optimized as one unit: its own workload, config and (optionally) program."""

    directory: Path
    config: ProjectConfig
    prefix: str  # path of `directory` relative to the run's root ("" for the root itself)


def resolve_projects(request: OptimizeRequest) -> list[Project]:
    root = request.root
    if not root.exists():
        raise InputError(f"{root} does not exist; pass the directory or file to optimize")
    if root.is_file():
        config = read_project_config(root.parent) or ProjectConfig()
        if request.stdin_cases or (root.suffix == ".py" and config.program == root.name):
            config = replace(config, program=root.name)
        return [Project(root.parent, config, "")]
    own = read_project_config(root)
    # A workload or input cases describe the root itself; a --function filter does not, so
    # sub-projects keep their own workloads and the filter applies inside each.
    if own is not None or request.workload or request.stdin_cases:
        return [Project(root, own or ProjectConfig(), "")]
    nested = find_projects(root)
    if not nested:
        return [Project(root, ProjectConfig(), "")]
    if request.functions:  # only the sub-projects that define one of the functions (else all)
        nested = [n for n in nested if _defines_any(n[0], request.functions)] or nested
    return [
        Project(directory, config, directory.relative_to(root).as_posix()) for directory, config in nested
    ]


def _defines_any(directory: Path, qualnames: tuple[str, ...]) -> bool:
    """A cheap text scan for `def NAME(`: which sub-projects a --function filter can concern."""
    needles = {f"def {q.rsplit('.', 1)[-1]}(" for q in qualnames}
    for path in directory.rglob("*.py"):
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        if any(needle in text for needle in needles):
            return True
    return False


def _stdin_cases(project: Project, request: OptimizeRequest) -> list[str]:
    paths: list[Path] = list(request.stdin_cases) or [project.directory / p for p in project.config.stdin]
    if not paths and project.config.program:
        paths = [project.directory]
    cases: list[str] = []
    for path in paths:
        if path.is_dir():
            cases.extend(str(p.resolve()) for p in sorted(path.glob("*.in")))
        elif path.is_file():
            cases.append(str(path.resolve()))
        else:
            raise InputError(f"stdin case {path} does not exist")
    return cases


def _workload_scripts(command: str) -> set[str]:
    """Files the workload command names: drivers of the measurement, not code to optimize."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    return {word.removeprefix("./") for word in words if word.endswith(".py")}


def _matches_filter(target: Target, functions: tuple[str, ...]) -> bool:
    if not functions:
        return True
    return any(
        name in (target.qualname, target.key) or target.qualname.endswith(f".{name}") for name in functions
    )


class ProjectRun:
    """Targets and evidence for one project."""

    def __init__(self, project: Project, request: OptimizeRequest, services: Services) -> None:
        self.project, self.request, self.services = project, request, services
        config = project.config
        self.discovery: Discovery = discover(
            project.directory if not request.root.is_file() else request.root,
            include=request.include or config.include,
            exclude=request.exclude or config.exclude,
        )
        python = request.python or config.python
        if python and not Path(python).is_absolute() and "/" in python:
            python = str((project.directory / python).resolve())
        self.python = python
        self.profile: WorkloadProfile | None = None
        self.notes: list[TargetReport] = []

    def report_path(self, file: str) -> str:
        return f"{self.project.prefix}/{file}" if self.project.prefix else file

    def targets(self) -> list[Target]:
        config, request = self.project.config, self.request
        if config.program:
            return [Target(file=config.program, qualname=PROGRAM_QUALNAME, kind=TargetKind.PROGRAM)]
        workload = request.workload or config.workload
        if workload:
            self.services.progress.event(
                "workload_started", project=self.project.prefix or ".", command=workload
            )
            self.profile = profile_workload(
                self.services.sandbox,
                self.project.directory,
                workload,
                self.python,
                request.workload_timeout_s,
            )
            if self.profile.failed:
                self.notes.append(
                    TargetReport(
                        file=self.project.prefix or ".",
                        qualname="<workload>",
                        status=TargetStatus.FAILED,
                        reason=f"workload `{workload}` failed: {self.profile.stderr_tail[-800:]}",
                    )
                )
                return []
            drivers = _workload_scripts(workload)
            ranked = [
                t
                for t in rank_from_profile(self.profile, self.discovery)
                if t.file not in drivers and not is_test_or_setup_file(t.file) and t.qualname != "main"
            ]
        else:
            ranked = rank_static(self.discovery)
        chosen = [t for t in ranked if _matches_filter(t, request.functions)]
        if request.functions and not chosen:
            self.notes.append(
                TargetReport(
                    file=self.project.prefix or ".",
                    qualname=",".join(request.functions),
                    status=TargetStatus.SKIPPED,
                    reason="no such function among the targets",
                )
            )
        return chosen[: request.max_targets]

    def evidence(self, target: Target) -> Evidence:
        root = str(self.discovery.base)
        if target.kind is TargetKind.PROGRAM:
            cases = _stdin_cases(self.project, self.request)
            if not cases:
                raise InputError(f"program target {target.file} needs --stdin or --stdin-dir input cases")
            return Evidence(
                root=root, base_dir=".", module_name="__main__", stdin_cases=tuple(cases), python=self.python
            )
        known = {f.path for f in self.discovery.files}
        base_dir, module_name = module_location(target.file, known)
        captures: dict[str, bytes] = {}
        shapes: dict[str, object] = {}
        source_file = self.discovery.file(target.file)
        if self.profile is not None:
            for function in self.profile.functions:
                if function.file == target.file and function.qualname == target.qualname:
                    for name in function.capture_files:
                        captures[name.removeprefix("capture/")] = self.profile.captures[name]
                    shapes = {str(s["name"]): s["shape"] for s in function.shapes if s.get("shape")}
        examples = docstring_examples(source_file.source, target.qualname) if source_file else []
        return Evidence(
            root=root,
            base_dir=base_dir,
            module_name=module_name,
            captures=captures,
            shapes=shapes,
            examples=tuple(examples),
            python=self.python,
        )


@dataclass
class ProjectPlan:
    """A project's targets, ready to run one by one (here, or as separate worker tasks)."""

    skipped: list[dict[str, str]]
    notes: list[TargetReport]  # report lines that are not runs (a failed workload, an unknown name)
    jobs: list[TargetJob]
    min_speedup: float


def plan_project(
    project: Project, request: OptimizeRequest, services: Services, run_id: str, repo: str
) -> ProjectPlan:
    """Discover, profile and rank a project's targets and gather each target's evidence."""
    min_speedup = request.min_speedup or project.config.min_speedup or DEFAULT_MIN_SPEEDUP
    run = ProjectRun(project, request, replace(services, min_speedup=min_speedup))
    skipped = [{"file": run.report_path(s.file), "reason": s.reason} for s in run.discovery.skipped]
    targets = run.targets()
    services.progress.event("project_targets", project=project.prefix or ".", targets=len(targets))
    jobs: list[TargetJob] = []
    for target in targets:
        source_file = run.discovery.file(target.file)
        if source_file is None:
            continue
        jobs.append(
            TargetJob(
                run_id=run_id,
                repo=repo,
                report_file=run.report_path(target.file),
                target=target,
                source=source_file.source,
                source_hash=source_file.sha256,
                evidence=run.evidence(target),
            )
        )
    return ProjectPlan(skipped, list(run.notes), jobs, min_speedup)


def run_planned_target(services: Services, job: TargetJob, min_speedup: float) -> TargetReport:
    """One target of a plan through the pipeline, at its project's bar."""
    result = run_target(replace(services, min_speedup=min_speedup), job)
    services.progress.event(
        "target_done",
        target=job.report_file + "::" + job.target.qualname,
        status=result.status.value,
        speedup=result.speedup,
    )
    return result


def _run_project(
    project: Project, request: OptimizeRequest, services: Services, run_id: str, repo: str
) -> tuple[list[dict[str, str]], list[TargetReport]]:
    plan = plan_project(project, request, services, run_id, repo)
    results = list(plan.notes)
    results.extend(run_planned_target(services, job, plan.min_speedup) for job in plan.jobs)
    return plan.skipped, results


def start_run(request: OptimizeRequest, services: Services, sandbox_name: str, run_id: str) -> Report:
    """The empty report of a run, with the run recorded in history (idempotent per run_id)."""
    strategies = list(request.strategies or DEFAULT_STRATEGIES)
    repo = request.repo or str(request.root.resolve())
    services.store.record_run(
        RunRecord(run_id, repo, datetime.now(UTC), tuple(strategies), sandbox_name, repo=repo)
    )
    return Report(run_id=run_id, root=repo, strategies=strategies, sandbox=sandbox_name)


def finish_run(
    report: Report,
    outcomes: Sequence[tuple[Sequence[Mapping[str, str]], Sequence[TargetReport]]],
    services: Services,
    wall_seconds: float,
) -> Report:
    """Fills the report from each project's (skipped files, target lines), in project order."""
    for skipped, targets in outcomes:
        report.skipped_files.extend(skipped)
        report.targets.extend(targets)
    report.wall_seconds = wall_seconds
    services.store.finish_run(report.run_id, datetime.now(UTC), report.summary())
    return report


def optimize(request: OptimizeRequest, services: Services, sandbox_name: str) -> Report:
    started = time.perf_counter()
    report = start_run(request, services, sandbox_name, uuid.uuid4().hex)
    projects = resolve_projects(request)
    # Projects overlap (one profiles or checks while another benchmarks); benchmarks themselves
    # never overlap: they hold the services' benchmark lock, so timings are not disturbed by them.
    with ThreadPoolExecutor(max_workers=max(1, min(request.project_workers, len(projects)))) as pool:
        outcomes = list(
            pool.map(lambda p: _run_project(p, request, services, report.run_id, report.root), projects)
        )
    return finish_run(report, outcomes, services, time.perf_counter() - started)
