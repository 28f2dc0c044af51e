"""Sandbox throughput and latency: LocalSandbox, cold Docker (a container per job), warm pool.

Two jobs: `trivial` (a Python process printing one line) and `validation` (a real check job: one
candidate against the original with Hypothesis inputs). Each is run N times by 1 and 2 concurrent
workers; round trip = SandboxJob in, SandboxResult out, as the pipeline sees it.

    python benchmarks/sandbox_throughput.py --json out.json [--trivial-jobs 60] [--validation-jobs 8]
    python benchmarks/sandbox_throughput.py --backends docker-warm --kinds trivial   # the pool's targets
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from optiagent.adapters.sandbox.choose import open_docker
from optiagent.adapters.sandbox.docker_sandbox import DockerOptions
from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.targets import Target, TargetKind
from optiagent.ports.sandbox import Sandbox, SandboxJob, SandboxLimits, SandboxStatus
from optiagent.verify.jobs import CheckSettings, Evidence, check_job

ORIGINAL = '''
def dedupe(items: list[int]) -> list[int]:
    """Items in first-seen order, without repeats."""
    seen = []
    out = []
    for item in items:
        if item not in seen:
            seen.append(item)
            out.append(item)
    return out
'''
CANDIDATE = "def dedupe(items: list[int]) -> list[int]:\n    return list(dict.fromkeys(items))\n"
TRIVIAL = SandboxJob(argv=("{python}", "-c", "print('ok')"), limits=SandboxLimits(timeout_s=30))


def validation_job(root: Path) -> SandboxJob:
    (root / "mod.py").write_text(ORIGINAL)
    target = Target(file="mod.py", qualname="dedupe", kind=TargetKind.FUNCTION)
    evidence = Evidence(root=str(root), base_dir=".", module_name="mod")
    return check_job(target, evidence, [CANDIDATE], CheckSettings(max_examples=50, stress=False))


def measure(box: Sandbox, job: SandboxJob, count: int, workers: int) -> dict[str, float]:
    def one(_: int) -> float:
        started = time.perf_counter()
        result = box.run(job)
        if result.status is not SandboxStatus.OK:
            raise RuntimeError(f"{box.name}: job failed: {result.status} {result.stderr[-500:]!r}")
        return time.perf_counter() - started

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(workers)))  # warm-up: containers started, caches filled
        started = time.perf_counter()
        latencies = sorted(pool.map(one, range(count)))
        elapsed = time.perf_counter() - started
    return {
        "jobs_per_s": count / elapsed,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] * 1000,
    }


def backends(workers: int) -> dict[str, Callable[[], Sandbox]]:
    return {
        "local": LocalSandbox,
        "docker-cold": lambda: open_docker(
            SandboxLimits(), DockerOptions(warm=False, pool_size=workers), build=True
        ),
        "docker-warm": lambda: open_docker(
            SandboxLimits(), DockerOptions(warm=True, pool_size=workers), build=True
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--trivial-jobs", type=int, default=60)
    parser.add_argument("--cold-trivial-jobs", type=int, default=20)
    parser.add_argument("--validation-jobs", type=int, default=8)
    parser.add_argument("--backends", default="local,docker-cold,docker-warm", help="comma-separated subset")
    parser.add_argument("--kinds", default="trivial,validation", help="comma-separated subset of jobs")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="optiagent-bench-") as scratch:
        every = {"trivial": TRIVIAL, "validation": validation_job(Path(scratch))}
        jobs = {name: every[name] for name in args.kinds.split(",")}
        for workers in (1, 2):
            for backend, make in backends(workers).items():
                if backend not in args.backends.split(","):
                    continue
                box = make()
                try:
                    time.sleep(1.0)  # let a warm pool finish starting its containers
                    for name, job in jobs.items():
                        count = args.validation_jobs if name == "validation" else args.trivial_jobs
                        if backend == "docker-cold" and name == "trivial":
                            count = args.cold_trivial_jobs
                        figures = measure(box, job, count, workers)
                        rows.append(
                            {"backend": backend, "job": name, "workers": workers, "jobs": count, **figures}
                        )
                finally:
                    box.close()
    table = Table(title="sandbox round trip (SandboxJob in, SandboxResult out)")
    for column in ("backend", "job", "workers", "jobs", "jobs/s", "median ms", "p95 ms"):
        table.add_column(column, justify="right" if column not in ("backend", "job") else "left")
    for row in rows:
        table.add_row(
            row["backend"],
            row["job"],
            str(row["workers"]),
            str(row["jobs"]),
            f"{row['jobs_per_s']:.1f}",
            f"{row['median_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
        )
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows}, indent=2))


if __name__ == "__main__":
    main()
