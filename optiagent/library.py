"""The public Python API: `from optiagent import optimize`.

A thin function over the same services as `optiagent optimize`, returning the typed report. It
configures no logging (a library leaves that to its host) and prints nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from optiagent.bootstrap import (
    build_generators,
    build_llm,
    build_sandbox,
    build_store,
    default_database_url,
    default_strategies,
)
from optiagent.domain.errors import InputError
from optiagent.reporting.models import RunReport, typed_report
from optiagent.services.apply import apply_report
from optiagent.services.requests import DEFAULT_TIME_BUDGET_S, OptimizeRequest, SilentProgress
from optiagent.services.target_run import Services
from optiagent.services.workload_report import workload_problems
from optiagent.settings import Settings, load_settings

StrPath = str | os.PathLike[str]


def optimize(
    path: StrPath,
    *,
    workload: str | None = None,
    function: str | Sequence[str] = (),
    strategy: str | Sequence[str] = (),
    min_speedup: float | None = None,
    python: str | None = None,
    stdin: Sequence[StrPath] = (),
    time_budget: float | None = None,
    max_targets: int | None = None,
    apply: bool = False,
    sandbox: str | None = None,
    db: str | None = None,
    settings: Settings | None = None,
) -> RunReport:
    """Find, prove and (with `apply=True`) write faster versions of the hot code under `path`.

    The keywords mirror `optiagent optimize`'s options (`function` and `strategy` take one name
    or several); LLM settings come from `settings`, else the environment (`OPTIAGENT_LLM__...`).
    Raises `optiagent.domain.errors.InputError` on bad input, including a workload that failed
    or ran none of the code under `path`.
    """
    root = Path(path)
    if min_speedup is not None and min_speedup <= 0:
        raise InputError("min_speedup must be positive, e.g. 1.05")
    if not root.exists():
        raise InputError(f"{root} does not exist; pass the directory or file to optimize")
    if time_budget is not None and time_budget <= 0:
        raise InputError("time_budget must be a positive number of seconds, e.g. 600")
    if max_targets is not None and max_targets <= 0:
        raise InputError("max_targets must be a positive number")
    settings = settings or load_settings()
    request = OptimizeRequest(
        root=root,
        workload=workload,
        functions=_names(function),
        strategies=_names(strategy),
        min_speedup=min_speedup,
        python=python,
        stdin_cases=tuple(Path(case) for case in stdin),
        max_targets=max_targets,
        time_budget_s=time_budget or DEFAULT_TIME_BUDGET_S,
        time_budget_explicit=time_budget is not None,
        cwd=Path.cwd(),
        workers=settings.sandbox.workers,
    )
    box = build_sandbox(settings, sandbox)
    store = build_store(settings, db, root)
    from optiagent.services.optimize import optimize as run_optimize

    try:
        llm = build_llm(settings, db or settings.database_url or default_database_url(root))
        services = Services(
            sandbox=box,
            store=store,
            generators=build_generators(request.strategies or default_strategies(llm), llm),
            progress=SilentProgress(),
            check=request.check,
            bench=request.bench,
            min_speedup=min_speedup or 1.05,
            workers=request.workers,
        )
        report = run_optimize(request, services, box.name)
        if apply:
            apply_report(report, root)
            for target in report.targets:
                if target.applied and target.edit_id:
                    store.mark_applied(target.edit_id)
    finally:
        box.close()
        store.close()
    problems = workload_problems(report)
    if problems:
        raise InputError("; ".join(problems))
    return typed_report(report)


def _names(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)
