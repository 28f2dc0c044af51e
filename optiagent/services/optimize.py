"""The optimize use case: discover and rank targets, then run each through the pipeline."""

from __future__ import annotations

import shlex
import threading
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
from optiagent.services.ast_guard import guard as guard_ast
from optiagent.services.compose import compose_project
from optiagent.services.discovery import Discovery, discover, rank_static
from optiagent.services.layout import Layout, absolute_python, build_layout, enclosing_tree
from optiagent.services.profiling import WorkloadProfile, profile_workload, rank_from_profile
from optiagent.services.project_config import ProjectConfig, find_projects, read_project_config
from optiagent.services.requests import DEFAULT_MIN_SPEEDUP, DEFAULT_STRATEGIES, OptimizeRequest
from optiagent.services.target_run import Services, TargetJob, run_target
from optiagent.services.workload_report import (
    NOT_TARGET_MIN_SHARE,
    WORKLOAD_QUALNAME,
    outside_reason,
    workload_problem,
)
from optiagent.verify.jobs import Evidence
from optiagent.verify.modules import module_location

# Projects are planned in threads and their sources parsed concurrently (ast_guard.py).
guard_ast()


@dataclass(frozen=True)
class Project:
    """A directory optimized as one unit: its own workload, config and (optionally) program."""

    directory: Path
    config: ProjectConfig
    prefix: str  # path of `directory` relative to the run's root ("" for the root itself)
    layout: Layout
    workload: str | None = None


def resolve_projects(request: OptimizeRequest) -> list[Project]:
    root = request.root
    if not root.exists():
        raise InputError(f"{root} does not exist; pass the directory or file to optimize")
    if root.is_file():
        config, home = _config_for(root.parent, request)
        if request.stdin_cases or (root.suffix == ".py" and config.program == root.name):
            config = replace(config, program=root.name)
        return [_project(root.parent, config, home, "", request)]
    own = read_project_config(root)
    # A workload or input cases describe the root itself; a --function filter does not, so
    # sub-projects keep their own workloads and the filter applies inside each.
    if own is not None or request.workload or request.stdin_cases:
        config, home = (own, root) if own is not None else _config_for(root, request)
        return [_project(root, config, home, "", request)]
    nested = find_projects(root)
    if not nested:
        config, home = _config_for(root, request)
        return [_project(root, config, home, "", request)]
    if request.functions:  # only the sub-projects that define one of the functions (else all)
        nested = [n for n in nested if _defines_any(n[0], request.functions)] or nested
    return [
        _project(directory, config, directory, directory.relative_to(root).as_posix(), request)
        for directory, config in nested
    ]


def _config_for(directory: Path, request: OptimizeRequest) -> tuple[ProjectConfig, Path]:
    """The nearest `[tool.optiagent]` at or above `directory` within its tree (a repository's own
    pyproject.toml applies to `optiagent optimize src/pkg`), and the directory that holds it."""
    real = directory.resolve()
    top = enclosing_tree(real, request.cwd.resolve() if request.cwd else None)
    for candidate in (real, *real.parents):
        config = read_project_config(candidate)
        if config is not None:
            return config, candidate
        if candidate == top:
            break
    return ProjectConfig(), real


def _project(
    directory: Path, config: ProjectConfig, home: Path, prefix: str, request: OptimizeRequest
) -> Project:
    """A project with its layout: a workload from the command line runs where the user ran
    optiagent; one from `[tool.optiagent]` runs beside the pyproject.toml that names it."""
    cwd = request.cwd or Path.cwd()
    workload = request.workload or config.workload
    workload_dir = cwd if request.workload else home
    if request.python:
        python, source = absolute_python(request.python, cwd), "--python"
    elif config.python:
        python, source = absolute_python(config.python, home), "[tool.optiagent] python"
    else:
        python, source = None, ""
    layout = build_layout(directory, workload_dir, python, source, workload)
    return Project(directory, config, prefix, layout, workload)


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
        self.layout = project.layout
        self.discovery: Discovery = discover(
            project.directory if not request.root.is_file() else request.root,
            include=request.include or config.include,
            exclude=request.exclude or config.exclude,
        )
        self.python = self.layout.python
        self.profile: WorkloadProfile | None = None
        self.notes: list[TargetReport] = []

    def report_path(self, file: str) -> str:
        return f"{self.project.prefix}/{file}" if self.project.prefix else file

    def _note(self, qualname: str, status: TargetStatus, reason: str, file: str | None = None) -> None:
        self.notes.append(
            TargetReport(
                file=file or self.project.prefix or ".", qualname=qualname, status=status, reason=reason
            )
        )

    def targets(self) -> list[Target]:
        config, request = self.project.config, self.request
        if config.program:
            return [Target(file=config.program, qualname=PROGRAM_QUALNAME, kind=TargetKind.PROGRAM)]
        workload = self.project.workload
        ranked = self._profiled_targets(workload) if workload else rank_static(self.discovery)
        chosen = [t for t in ranked if _matches_filter(t, request.functions)]
        if request.functions and not chosen:
            self._note(
                ",".join(request.functions), TargetStatus.SKIPPED, "no such function among the targets"
            )
        return chosen[: request.max_targets] if request.max_targets else chosen

    def _profiled_targets(self, workload: str) -> list[Target]:
        layout = self.layout
        self.services.progress.event(
            "workload_started",
            project=self.project.prefix or ".",
            command=workload,
            cwd=str(layout.workload_dir),
        )
        self.profile = profile_workload(
            self.services.sandbox, layout, workload, self.request.workload_timeout_s, self._packages()
        )
        self.services.progress.event(
            "workload_profiled",
            project=self.project.prefix or ".",
            seconds=self.profile.total_s,
            functions=len(self.profile.functions),
            failed=self.profile.failed,
        )
        problem = workload_problem(self.profile, layout, workload, self._packages())
        if problem is not None:
            self._note(WORKLOAD_QUALNAME, TargetStatus.FAILED, problem)
            return []
        ranked, left_out = rank_from_profile(self.profile, self.discovery, self._drivers(workload))
        for function, reason in left_out:
            self._note(function.qualname, TargetStatus.NOT_TARGET, reason, self.report_path(function.file))
        for outside in self.profile.outside:
            if outside.share >= NOT_TARGET_MIN_SHARE and not outside.name.startswith("<"):
                shown = layout.relative_to_tree(outside.file) or outside.file
                self._note(outside.name, TargetStatus.NOT_TARGET, outside_reason(outside, layout), shown)
        return ranked

    def _drivers(self, workload: str) -> set[str]:
        """Files under the target that the workload command names (its script): not targets."""
        try:
            words = shlex.split(workload)
        except ValueError:
            words = workload.split()
        found = set()
        for word in words:
            if word.endswith(".py"):
                relative = self.layout.relative_to_target(str((self.layout.workload_dir / word).resolve()))
                if relative is not None:
                    found.add(relative)
        return found

    def _packages(self) -> list[str]:
        """Top-level import names of the target's modules (`pkg` for src/pkg/core.py)."""
        known = {f.path for f in self.discovery.files}
        names = {
            module_location(f, known, self.layout.target)[1].split(".")[0] for f in known if f.endswith(".py")
        }
        return sorted(n for n in names if n and n.isidentifier())

    def evidence(self, target: Target) -> Evidence:
        root = str(self.discovery.base)
        if target.kind is TargetKind.PROGRAM:
            cases = _stdin_cases(self.project, self.request)
            if not cases:
                raise InputError(f"program target {target.file} needs --stdin or --stdin-dir input cases")
            return Evidence(
                root=root,
                base_dir=".",
                module_name="__main__",
                stdin_cases=tuple(cases),
                python=self.python,
                readonly=self.layout.readonly_paths,
            )
        known = {f.path for f in self.discovery.files}
        base_dir, module_name = module_location(target.file, known, self.layout.target)
        captures: dict[str, bytes] = {}
        shapes: dict[str, object] = {}
        source_file = self.discovery.file(target.file)
        if self.profile is not None:
            for function in self.profile.functions:
                if function.file == target.file and function.qualname == target.qualname:
                    for name in function.capture_files:
                        captures[name.removeprefix("capture/")] = self.profile.captures[name]
                    shapes = {str(s["name"]): s["shape"] for s in function.shapes if s.get("shape")}
        # Only where the outline saw `>>>`: docstring_examples parses the module again (libcst, 3 s
        # for pyparsing's core.py, once per target: planning took 14 minutes under load).
        has_examples = source_file is not None and any(
            info.qualname == target.qualname and info.has_docstring_examples for info in source_file.functions
        )
        examples = (
            docstring_examples(source_file.source, target.qualname) if source_file and has_examples else []
        )
        return Evidence(
            root=root,
            base_dir=base_dir,
            module_name=module_name,
            captures=captures,
            shapes=shapes,
            examples=tuple(examples),
            python=self.python,
            readonly=self.layout.readonly_paths,
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
        ci=result.ci,
        reason=result.reason[:300],
    )
    return result


def _run_project(
    project: Project,
    request: OptimizeRequest,
    services: Services,
    run_id: str,
    repo: str,
    deadline: RunDeadline | None = None,
) -> tuple[list[dict[str, str]], list[TargetReport]]:
    """A project's targets in rank order, each started only while the run's time budget lasts."""
    plan = plan_project(project, request, services, run_id, repo)
    results = list(plan.notes)
    for index, job in enumerate(plan.jobs):
        left = None if deadline is None else deadline.seconds_left()
        if left is not None and left <= 0:
            results.extend(_over_budget(job, request) for job in plan.jobs[index:])
            break
        services.progress.event(
            "budget", project=project.prefix or ".", done=index, total=len(plan.jobs), seconds_left=left
        )
        results.append(run_planned_target(services, job, plan.min_speedup))
        if deadline is not None:
            deadline.extend(results[-1].unbudgeted_seconds)
    compose_project(services, plan.jobs, results)  # one checked text per file for --apply
    return plan.skipped, results


class RunDeadline:
    """The run's time budget for targets. It starts when the first target is about to start, so
    profiling and planning (slow on a loaded machine or a large workload) never use it up: the
    hottest target is always tried. Shared by the projects processed in parallel."""

    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self._end: float | None = None
        self._lock = threading.Lock()

    def seconds_left(self) -> float:
        with self._lock:
            if self._end is None:
                self._end = time.monotonic() + self.budget_s
            return self._end - time.monotonic()

    def extend(self, seconds: float) -> None:
        """Gives back time spent on work the budget does not pay for (benchmarks' self-checks)."""
        with self._lock:
            if self._end is not None and seconds > 0:
                self._end += seconds


def _over_budget(job: TargetJob, request: OptimizeRequest) -> TargetReport:
    return TargetReport(
        file=job.report_file,
        qualname=job.target.qualname,
        status=TargetStatus.SKIPPED,
        reason=f"not started: the time budget ({request.time_budget_s:.0f} s) was spent on hotter targets; "
        "raise --time-budget to try it",
    )


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
    report.min_speedup = services.min_speedup
    # The whole report is kept with the run, so `optiagent report RUN_ID` can render it later.
    services.store.finish_run(
        report.run_id, datetime.now(UTC), report.summary() | {"report": report.to_json()}
    )
    return report


def _time_budget(request: OptimizeRequest, projects: Sequence[Project]) -> float | None:
    """The command line's budget, else the first project's `time_budget`, else the default."""
    configured = next((p.config.time_budget for p in projects if p.config.time_budget), None)
    if request.time_budget_explicit or configured is None:
        return request.time_budget_s
    return configured


def optimize(request: OptimizeRequest, services: Services, sandbox_name: str) -> Report:
    started = time.perf_counter()
    projects = resolve_projects(request)
    report = start_run(request, services, sandbox_name, uuid.uuid4().hex)
    budget = _time_budget(request, projects)
    deadline = None if budget is None else RunDeadline(budget)
    # Projects overlap (one profiles or checks while another benchmarks); benchmarks themselves
    # never overlap: they hold the services' benchmark lock, so timings are not disturbed by them.
    with ThreadPoolExecutor(max_workers=max(1, min(request.project_workers, len(projects)))) as pool:
        outcomes = list(
            pool.map(
                lambda p: _run_project(p, request, services, report.run_id, report.root, deadline), projects
            )
        )
    return finish_run(report, outcomes, services, time.perf_counter() - started)
