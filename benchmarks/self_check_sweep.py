"""Self-check every target of a real project: the original, validated as a candidate of itself on
its captured calls, must be equivalent (issue 11: a false rejection is a first-rank bug).

Plans the project exactly as `optiagent optimize` does (workload profiled under capture, targets
ranked, evidence gathered), then runs one self-check job per target, no candidates, no time
budget, and prints per target its kind (function, method, dunder, nested, no arguments), the
captured calls and the self-check's verdict; the totals per kind; and every failure in full.

    python benchmarks/self_check_sweep.py PACKAGE_DIR --workload "VENV/bin/python bench.py"
        [--cwd DIR] [--python VENV/bin/python] [--parallel 2] [--only QUALNAME ...] [--json out.json]

Run it from where the workload expects to run (or pass --cwd).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.adapters.store.memory import InMemoryEditStore
from optiagent.domain.targets import Target, is_nested
from optiagent.services.benchmarking import BenchmarkSettings
from optiagent.services.optimize import plan_project, resolve_projects
from optiagent.services.requests import OptimizeRequest, SilentProgress
from optiagent.services.target_run import Services, TargetJob
from optiagent.verify.jobs import CheckSettings, check_job
from optiagent.verify.verdicts import read_self_check, read_warm_pass


@dataclass
class Row:
    qualname: str
    file: str
    kind: str
    captured: int
    verdict: str
    seconds: float


def kind_of(target: Target, params: int | None) -> str:
    name = target.qualname.rsplit(".", 1)[-1]
    if is_nested(target.qualname):
        return "nested"
    if name.startswith("__") and name.endswith("__"):
        return "dunder"
    if params == 0:
        return "no arguments"
    return target.kind.value


def self_check(box: LocalSandbox, job: TargetJob, settings: CheckSettings) -> tuple[str, float]:
    started = time.perf_counter()
    result = box.run(check_job(job.target, job.evidence, [], settings))
    verdict = read_self_check(result)
    if verdict is None:  # the warm pass ended before a self-check: no inputs, nondeterministic, ...
        warm = read_warm_pass(result)
        verdict = f"not run ({warm.status}: {warm.detail[:200]})"
    return verdict, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("package", type=Path)
    parser.add_argument("--workload", required=True)
    parser.add_argument("--cwd", type=Path, default=Path.cwd())
    parser.add_argument("--python")
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--json", type=Path)
    options = parser.parse_args(argv)

    box = LocalSandbox()
    settings = CheckSettings(self_check=True, stress=False)
    services = Services(
        sandbox=box,
        store=InMemoryEditStore(),
        generators={},
        progress=SilentProgress(),
        check=settings,
        bench=BenchmarkSettings(),
        min_speedup=1.05,
        workers=options.parallel,
    )
    request = OptimizeRequest(
        root=options.package.resolve(),
        workload=options.workload,
        python=options.python,
        cwd=options.cwd.resolve(),
        functions=tuple(options.only),
        time_budget_s=None,
    )
    started = time.perf_counter()
    jobs: list[TargetJob] = []
    for project in resolve_projects(request):
        jobs += plan_project(project, request, services, "sweep", "sweep").jobs
    planned = time.perf_counter() - started
    print(f"{len(jobs)} targets planned in {planned:.0f}s", file=sys.stderr)

    def one(job: TargetJob) -> Row:
        verdict, seconds = self_check(box, job, settings)
        captured = sum(1 for _ in job.evidence.captures)
        params = _parameter_count(job)
        row = Row(
            job.target.qualname, job.report_file, kind_of(job.target, params), captured, verdict, seconds
        )
        print(f"  {row.kind:12} {row.verdict[:60]:60} {row.file}::{row.qualname}", file=sys.stderr)
        return row

    try:
        with ThreadPoolExecutor(options.parallel) as pool:
            rows = list(pool.map(one, jobs))
    finally:
        box.close()
    _print(rows, time.perf_counter() - started)
    if options.json:
        options.json.write_text(json.dumps([row.__dict__ for row in rows], indent=1))
    return 0


def _parameter_count(job: TargetJob) -> int | None:
    from optiagent.rewrite.functions import list_functions

    for info in list_functions(job.source):
        if info.qualname == job.target.qualname:
            return len(info.params)
    return None


def _print(rows: list[Row], seconds: float) -> None:
    width = max((len(r.qualname) for r in rows), default=10)
    print(f"{'target':{width}}  {'kind':12}  {'capture files':>13}  self-check")
    for row in rows:
        print(f"{row.qualname:{width}}  {row.kind:12}  {row.captured:>13}  {row.verdict[:80]}")
    print()
    kinds = Counter(row.kind for row in rows)
    counts = {outcome: Counter(r.kind for r in rows if _outcome(r) == outcome) for outcome in _OUTCOMES}
    for kind, count in sorted(kinds.items()):
        print(f"{kind:12}  targets {count:3}  " + "  ".join(f"{o} {counts[o][kind]:3}" for o in _OUTCOMES))
    totals = "  ".join(f"{o} {sum(counts[o].values()):3}" for o in _OUTCOMES)
    print(f"{'total':12}  targets {len(rows):3}  {totals}  ({seconds:.0f}s)")
    for row in rows:
        if _outcome(row) != "equivalent":  # nondeterministic ones are judged by reading them
            print(f"\n{row.file}::{row.qualname} ({row.kind}): {row.verdict}")


# failed: a false rejection or a crash of the check; nondeterministic: the original disagreed with
# itself (the clock, randomness, or a comparison bug); no inputs: nothing to run it on
_OUTCOMES = ("equivalent", "failed", "nondeterministic", "no inputs")


def _outcome(row: Row) -> str:
    if row.verdict == "equivalent":
        return "equivalent"
    if row.verdict.startswith("not run (no_inputs"):
        return "no inputs"
    if row.verdict.startswith("not run (nondeterministic"):
        return "nondeterministic"
    return "failed"


if __name__ == "__main__":
    raise SystemExit(main())
