"""Reproduce CodeT's and B4's HumanEval tables from CodeT's released CodeGen-16B samples.

    python benchmarks/selection_reproduction.py --data ../shared/data/codet --json out.json \
        [--workers 2] [--cache .optiagent/cache/selection]

Executes every unique program of each task against the task's unique generated tests (CodeT
protocol: stop-string truncation, first 5 asserts per test sample, 0.1 s per test) through the
Sandbox port (LocalSandbox), one sandbox job per task chunk, then evaluates the CodeT-repo
protocol (all tasks, duplicates kept) and the B4-repo protocol (unique rows and columns, tasks
with 0 < fraction correct < max_px). Results are cached per (task, program hash, tests hash).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

# Runnable from a checkout without an installed package: the repository root goes on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table

from optiagent.adapters.sandbox.harness_root import harness_source_dir
from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.selection import rank_b4, rank_codet, rank_maxpass, rank_mbr_exec_rows, rank_random
from optiagent.domain.selection.extraction import extract_test_cases, truncate_at_stop_strings
from optiagent.domain.selection.matrix import PassMatrix, Ranking
from optiagent.domain.selection.protocols import (
    ExecutedTask,
    evaluate_b4_protocol,
    evaluate_codet_protocol,
    sample_pass_at_k,
    to_dedup_task,
)
from optiagent.ports.sandbox import Sandbox, SandboxJob, SandboxLimits

CODE_SAMPLES = "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl"
TEST_SAMPLES = "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_test_case.jsonl"
CODE_PROBLEMS = "HumanEval_for_code_generation.jsonl"
TEST_PROBLEMS = "HumanEval_for_test_case_generation.jsonl"
TEST_TIMEOUT_S = 0.1
PROGRAMS_PER_JOB = 25
JOB_ATTEMPTS = 2
MAX_PX = (1.0, 0.8, 0.6, 0.4, 0.2)
B4_BETA_0 = (1e4, 1e5, 1e6)


@dataclass(frozen=True)
class TaskSamples:
    task_id: str
    programs: tuple[str, ...]  # unique prompt + completion, first-occurrence order
    program_counts: tuple[int, ...]
    tests: tuple[str, ...]  # unique tests, first-occurrence order
    test_counts: tuple[int, ...]
    ground_truth: str  # benchmark test + check(entry_point)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_tasks(data: Path) -> list[TaskSamples]:
    """Join samples to problems by exact prompt; truncate code; extract 5 asserts per test sample."""
    code_problems = {p["prompt"]: p for p in read_jsonl(data / CODE_PROBLEMS)}
    test_problems = {p["prompt"]: p for p in read_jsonl(data / TEST_PROBLEMS)}
    tests_by_task: dict[str, Counter[str]] = {}
    for line in read_jsonl(data / TEST_SAMPLES):
        problem = test_problems[line["prompt"]]
        found = [t for s in line["samples"] for t in extract_test_cases(s, problem["entry_point"])]
        tests_by_task[problem["task_id"]] = Counter(found)
    tasks = []
    for line in read_jsonl(data / CODE_SAMPLES):
        problem = code_problems[line["prompt"]]
        programs = Counter(problem["prompt"] + truncate_at_stop_strings(s) for s in line["samples"])
        tests = tests_by_task.get(problem["task_id"], Counter())
        check = f"{problem['test']}\ncheck({problem['entry_point']})"
        tasks.append(
            TaskSamples(
                problem["task_id"],
                tuple(programs),
                tuple(programs.values()),
                tuple(tests),
                tuple(tests.values()),
                check,
            )
        )
    return tasks


def digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


class ResultCache:
    """One JSON file per (task, tests hash): {program hash: harness result}. The tests hash also
    covers the ground truth, the time limit and the harness source, so changing any re-executes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.harness = digest((harness_source_dir() / "matrix.py").read_text(encoding="utf-8"))

    def _path(self, task: TaskSamples) -> Path:
        key = digest(self.harness, str(TEST_TIMEOUT_S), task.ground_truth, *task.tests)
        return self.root / f"{task.task_id.replace('/', '_')}-{key[:20]}.json"

    def load(self, task: TaskSamples) -> dict[str, dict[str, Any]]:
        path = self._path(task)
        return json.loads(path.read_text()) if path.exists() else {}

    def store(self, task: TaskSamples, results: Mapping[str, dict[str, Any]]) -> None:
        path = self._path(task)
        staging = path.with_suffix(".partial")
        staging.write_text(json.dumps(dict(results)))
        staging.replace(path)  # atomic: an interrupted run never leaves a truncated cache file


def run_chunk(sandbox: Sandbox, task: TaskSamples, programs: list[str]) -> list[dict[str, Any]]:
    """One sandbox job: these programs of the task against all its tests and its ground truth."""
    job = {"programs": programs, "tests": list(task.tests), "test_timeout_s": TEST_TIMEOUT_S,
           "program_overhead_s": 0.1, "ground_truth": task.ground_truth, "ground_truth_timeout_s": TEST_TIMEOUT_S}  # fmt: skip
    per_program_s = TEST_TIMEOUT_S * len(task.tests) + 0.1 + TEST_TIMEOUT_S + 1 + 0.5
    budget = len(programs) * per_program_s + 60
    sandbox_job = SandboxJob(
        argv=("{python}", "-m", "optiagent_harness.matrix", "job.json", "out.json"),
        files={"job.json": json.dumps(job).encode()},
        collect=("out.json",),
        limits=SandboxLimits(timeout_s=budget, cpu_s=int(budget) + 1, memory_mb=4096, max_processes=256),
    )
    for _attempt in range(JOB_ATTEMPTS):  # the harness never fails a job itself; the box might
        result = sandbox.run(sandbox_job)
        if "out.json" in result.files:
            outcome: list[dict[str, Any]] = json.loads(result.files["out.json"])["programs"]
            return outcome
    raise RuntimeError(f"{task.task_id}: sandbox {result.status}: {result.stderr.decode()[-2000:]}")


def execute_tasks(
    tasks: list[TaskSamples], cache: ResultCache, workers: int, console: Console
) -> list[ExecutedTask]:
    """Run what the cache lacks, in parallel sandbox jobs; return every task's executed view."""
    cached = {task.task_id: cache.load(task) for task in tasks}
    chunks = []
    for task in tasks:
        missing = [p for p in task.programs if digest(p) not in cached[task.task_id]]
        chunks += [
            (task, missing[i : i + PROGRAMS_PER_JOB]) for i in range(0, len(missing), PROGRAMS_PER_JOB)
        ]
    console.print(f"{len(chunks)} sandbox jobs to run ({workers} at a time)")
    sandbox = LocalSandbox()
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [
                (task, programs, pool.submit(run_chunk, sandbox, task, programs)) for task, programs in chunks
            ]
            for done, (task, programs, future) in enumerate(futures, 1):
                for program, outcome in zip(programs, future.result(), strict=True):
                    cached[task.task_id][digest(program)] = outcome
                cache.store(task, cached[task.task_id])
                if done % 20 == 0:
                    console.print(f"  {done}/{len(chunks)} jobs done")
    finally:
        sandbox.close()
    return [to_executed(task, cached[task.task_id]) for task in tasks]


def to_executed(task: TaskSamples, results: Mapping[str, dict[str, Any]]) -> ExecutedTask:
    outcomes = [results[digest(p)] for p in task.programs]
    rows = tuple(tuple(o["row"]) if o["executed"] else None for o in outcomes)
    correct = tuple(bool(o["ground_truth"]) for o in outcomes)
    return ExecutedTask(task.task_id, task.program_counts, task.test_counts, rows, correct)


def mean_percent(values: list[float]) -> float:
    return round(100.0 * sum(values) / len(values), 2)


def b4_selectors() -> dict[str, Callable[[PassMatrix], Ranking]]:
    selectors: dict[str, Callable[[PassMatrix], Ranking]] = {
        "Random": rank_random, "MaxPass": rank_maxpass, "MBR_exec": rank_mbr_exec_rows, "CodeT": rank_codet,
    }  # fmt: skip
    for beta_0 in B4_BETA_0:
        selectors[f"B4(beta_0={beta_0:.0e},alpha_xy=1e3)".replace("e+0", "e")] = partial(
            rank_b4, beta_0=beta_0, alpha_xy=1e3
        )
    return selectors


def summarise(executed: list[ExecutedTask]) -> dict[str, Any]:
    codet = {
        f"baseline_pass@{k}": mean_percent([sample_pass_at_k(t, k) for t in executed]) for k in (1, 10, 100)
    }
    codet |= {
        f"codet_pass@{k}": mean_percent([evaluate_codet_protocol(t, k) for t in executed]) for k in (1, 2, 10)
    }
    dedup = [to_dedup_task(t) for t in executed]
    b4 = {}
    for max_px in MAX_PX:
        table = evaluate_b4_protocol(dedup, b4_selectors(), max_px)
        b4[f"max_px={max_px}"] = {
            name: value if name == "n_tasks" else round(value, 2) for name, value in table.items()
        }
    return {"codet_protocol": codet, "b4_protocol": b4}


def print_tables(summary: dict[str, Any], console: Console) -> None:
    codet = Table(title="CodeT protocol (HumanEval, CodeGen-16B; paper: 36.7/44.4/59.3, baseline 50.3/73.7)")
    for name in summary["codet_protocol"]:
        codet.add_column(name, justify="right")
    codet.add_row(*(f"{v:.2f}" for v in summary["codet_protocol"].values()))
    console.print(codet)
    rows = summary["b4_protocol"]
    b4 = Table(title="B4 protocol (pass@1 %, unique programs and tests)")
    b4.add_column("max_px")
    names = list(next(iter(rows.values())))
    for name in names:
        b4.add_column(name, justify="right")
    for label, values in rows.items():
        b4.add_row(label.removeprefix("max_px="), *(str(values[n]) for n in names))
    console.print(b4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, required=True, help="directory with CodeT's released files")
    parser.add_argument("--json", type=Path, required=True, help="where to write the results")
    parser.add_argument("--workers", type=int, default=2, help="sandbox jobs run at once")
    parser.add_argument("--cache", type=Path, default=Path(".optiagent/cache/selection"))
    args = parser.parse_args()
    console = Console(width=200)
    started = time.perf_counter()
    tasks = load_tasks(args.data)
    executed = execute_tasks(tasks, ResultCache(args.cache), args.workers, console)
    summary = summarise(executed)
    print_tables(summary, console)
    args.json.write_text(json.dumps(summary, indent=2) + "\n")
    console.print(f"{len(tasks)} tasks; wall time {time.perf_counter() - started:.1f} s; wrote {args.json}")


if __name__ == "__main__":
    main()
