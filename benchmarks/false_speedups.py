"""False-speedup rate: benchmark + acceptance on A/A pairs (the original against itself).

Each trial measures a function against an identical or merely reformatted copy with the real
paired, interleaved benchmark and the acceptance rule; any acceptance is a false speedup.
`--cpu-hogs N` keeps N busy-looping processes running for the whole measurement, so the figure
holds on a machine that is doing something else too (the machine's load average is reported).

`--true-speedup X` measures the other error instead, false rejection: the candidate does the
same work as the original in 1/X of the rounds (the original repeats its body `round(20 X)`
times, the candidate 20), so every trial should be accepted at a bar below X; the table gives
the detection rate. The ratio the rounds give in one quiet process (CPU time, interleaved) is
printed next to X: per-call overhead makes it a little below X.

    python benchmarks/false_speedups.py --trials 200 --cpu-hogs 1 --json out.json
    python benchmarks/false_speedups.py --trials 40 --cpu-hogs 1 --true-speedup 1.2
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.measurement import Accepted, decide
from optiagent.domain.targets import Target, TargetKind
from optiagent.domain.verdicts import Equivalent
from optiagent.services.benchmarking import BenchmarkSettings, measure_speedup
from optiagent.verify.jobs import CheckSettings, Evidence, check_job
from optiagent.verify.verdicts import read_check

MODULE = '''
def count_common(xs: list[int], ys: list[int]) -> int:
    """How many items of xs are in ys."""
    total = 0
    for x in xs:
        if x in ys:
            total += 1
    return total


def join_words(words: list[str]) -> str:
    text = ""
    for word in words:
        text += word + " "
    return text


def running_max(values: list[int]) -> list[int]:
    out = []
    best = None
    for value in values:
        best = value if best is None or value > best else best
        out.append(best)
    return out


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)
'''

FUNCTIONS = ("count_common", "join_words", "running_max", "fib")

# The detection module: each function's body repeated ROUNDS times, so a candidate with fewer
# rounds is faster by a known factor, whatever the machine does.
ROUNDED_MODULE = """
ROUNDS = {rounds}


def count_common(xs: list[int], ys: list[int]) -> int:
    total = 0
    for _ in range(ROUNDS):
        total = 0
        for x in xs:
            if x in ys:
                total += 1
    return total


def join_words(words: list[str]) -> str:
    text = ""
    for _ in range(ROUNDS):
        text = ""
        for word in words:
            text += word + " "
    return text


def running_max(values: list[int]) -> list[int]:
    out: list[int] = []
    for _ in range(ROUNDS):
        out = []
        best = None
        for value in values:
            best = value if best is None or value > best else best
            out.append(best)
    return out


def _fib(n: int) -> int:
    return n if n < 2 else _fib(n - 1) + _fib(n - 2)


def fib(n: int) -> int:
    value = 0
    for _ in range(ROUNDS):
        value = _fib(n)
    return value
"""
CANDIDATE_ROUNDS = 20


def modules(true_speedup: float | None) -> tuple[str, str]:
    """(original text, candidate text): identical for A/A, fewer rounds in the candidate otherwise."""
    if true_speedup is None:
        return MODULE, MODULE
    rounds = round(CANDIDATE_ROUNDS * true_speedup)
    return ROUNDED_MODULE.format(rounds=rounds), ROUNDED_MODULE.format(rounds=CANDIDATE_ROUNDS)


def quiet_ratio(original: str, candidate: str, name: str, inputs: bytes) -> float:
    """Median ratio of CPU times in this process, original and candidate interleaved, 15 rounds."""
    calls = pickle.loads(inputs)
    functions = []
    for text in (original, candidate):
        namespace: dict[str, object] = {}
        exec(compile(text, "aa_mod.py", "exec"), namespace)
        functions.append(namespace[name])
    ratios = []
    for _ in range(15):
        times = []
        for function in functions:
            started = time.process_time()
            for args, kwargs in calls:
                function(*args, **kwargs)  # type: ignore[operator]
            times.append(time.process_time() - started)
        ratios.append(times[0] / max(times[1], 1e-9))
    return statistics.median(ratios)


def reformatted(source: str) -> str:
    """Same code, different bytes: comments and blank lines only."""
    return "# reformatted copy\n" + source.replace("\n\n\ndef ", "\n\n\n# a comment\ndef ")


@contextmanager
def cpu_hogs(count: int) -> Iterator[None]:
    """`count` processes spinning on a CPU each (unpinned) while the block runs; stopped after."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def log_spread(values: list[float]) -> float:
    """Half the central 68% range of the log ratios: their sd for normal noise, robust to tails."""
    logs = sorted(math.log(v) for v in values)
    return (logs[int(0.84 * (len(logs) - 1))] - logs[int(0.16 * (len(logs) - 1))]) / 2


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--min-speedup", type=float, default=1.05)
    parser.add_argument("--cpu-hogs", type=int, default=0, help="busy-looping processes meanwhile")
    parser.add_argument("--true-speedup", type=float, help="candidate really this much faster")
    parser.add_argument("--sequential-pairs", action="store_true", help="halves one after the other")
    parser.add_argument("--no-pin", action="store_true", help="do not pin pairs to a CPU")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    settings = BenchmarkSettings(concurrent_pairs=not args.sequential_pairs, pin_cpu=not args.no_pin)
    original_text, candidate_text = modules(args.true_speedup)
    detecting = args.true_speedup is not None
    sandbox = LocalSandbox()
    started = time.perf_counter()
    load_before = os.getloadavg()
    rows: dict[str, list[int]] = {name: [0, 0] for name in FUNCTIONS}
    ratios: list[float] = []
    pair_ratios: list[float] = []
    clocks: list[str] = []
    machine: dict[str, object] = {}
    pairs: list[int] = []
    trial_seconds: list[float] = []
    quiet: dict[str, float] = {}
    per_trial: list[dict[str, object]] = []  # to tell which look accepted and how ratios ran
    with cpu_hogs(args.cpu_hogs), tempfile.TemporaryDirectory() as root:
        (Path(root) / "aa_mod.py").write_text(original_text)
        evidence = Evidence(root=root, base_dir=".", module_name="aa_mod")
        inputs: dict[str, bytes] = {}
        for name in FUNCTIONS:
            target = Target(file="aa_mod.py", qualname=name, kind=TargetKind.FUNCTION)
            outcome = read_check(
                sandbox.run(check_job(target, evidence, [original_text], CheckSettings(max_examples=20)))
            )
            if not isinstance(outcome.verdict, Equivalent):
                raise SystemExit(f"A/A check of {name} did not pass: {outcome.verdict}")
            inputs[name] = outcome.bench_inputs
            if detecting:
                quiet[name] = quiet_ratio(original_text, candidate_text, name, inputs[name])
        for trial in range(args.trials):
            name = FUNCTIONS[trial % len(FUNCTIONS)]
            copy = candidate_text if trial % 2 == 0 else reformatted(candidate_text)
            target = Target(file="aa_mod.py", qualname=name, kind=TargetKind.FUNCTION)
            trial_started = time.perf_counter()
            measurement = measure_speedup(
                sandbox, target, evidence, copy, inputs[name], args.min_speedup, settings
            )
            trial_seconds.append(time.perf_counter() - trial_started)
            ratios.append(measurement.speedup)
            pair_ratios.extend(measurement.ratios)
            clocks.extend(pair.clock for pair in measurement.pairs)
            machine = dataclasses.asdict(measurement.machine) if measurement.machine else machine
            pairs.append(measurement.samples)
            rows[name][0] += 1
            accepted = isinstance(decide(measurement, args.min_speedup), Accepted)
            per_trial.append(
                {
                    "function": name,
                    "pairs": measurement.samples,
                    "accepted": accepted,
                    "ratios": measurement.ratios,
                    "pairs_raw": [
                        {**dataclasses.asdict(pair), "clock": pair.clock} for pair in measurement.pairs
                    ],
                }
            )
            if accepted:
                rows[name][1] += 1
    accepts = sum(count for _, count in rows.values())
    result = {
        "trials": args.trials,
        "true_speedup": args.true_speedup,
        "quiet_ratio": quiet,
        "accepts": accepts,
        "rate": accepts / max(args.trials, 1),
        "min_speedup": args.min_speedup,
        "cpu_hogs": args.cpu_hogs,
        "settings": {"concurrent_pairs": settings.concurrent_pairs, "pin_cpu": settings.pin_cpu},
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "seconds_per_trial": statistics.fmean(trial_seconds),
        "mean_pairs": statistics.fmean(pairs),
        # The sign test's false-acceptance chance grows with this share (at 0.5 it reaches alpha).
        "pairs_above_bar": sum(r > args.min_speedup for r in pair_ratios) / len(pair_ratios),
        "pair_ratio_median": statistics.median(pair_ratios),
        "pair_log_spread": log_spread(pair_ratios),
        "pairs_by_cpu_time": clocks.count("cpu") / max(len(clocks), 1),
        "machine": machine,
        "per_trial": per_trial,
    }
    print_result(result, rows, ratios, started, detecting)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


def print_result(
    result: dict[str, object],
    rows: dict[str, list[int]],
    ratios: list[float],
    started: float,
    detecting: bool,
) -> None:
    kind = "detection" if detecting else "A/A false-speedup"
    title = f"{kind} rate (min_speedup {result['min_speedup']}"
    title += f", true speedup {result['true_speedup']})" if detecting else ")"
    table = Table(title=title)
    for column in ("function", "trials", "accepted", "quiet ratio"):
        table.add_column(column)
    quiet: dict[str, float] = result["quiet_ratio"]  # type: ignore[assignment]
    for name, (trials, accepts) in rows.items():
        table.add_row(name, str(trials), str(accepts), f"{quiet[name]:.3f}" if name in quiet else "-")
    console = Console()
    console.print(table)
    ratios.sort()
    load: tuple[float, ...] = result["load_average_before"]  # type: ignore[assignment]
    console.print(
        f"accepted {result['rate']:.3%}; speedup median {ratios[len(ratios) // 2]:.3f}, "
        f"range {ratios[0]:.3f}-{ratios[-1]:.3f}; {result['mean_pairs']:.1f} pairs and "
        f"{result['seconds_per_trial']:.1f}s per trial; per pair: median ratio "
        f"{result['pair_ratio_median']:.3f}, log spread {result['pair_log_spread']:.3f}, "
        f"{result['pairs_above_bar']:.1%} above the bar, {result['pairs_by_cpu_time']:.0%} by CPU time; "
        f"{result['cpu_hogs']} CPU hog(s), load average "
        f"{load[0]:.1f} -> {os.getloadavg()[0]:.1f}; {time.perf_counter() - started:.0f}s"
    )


if __name__ == "__main__":
    main()
