"""False-speedup rate: benchmark + acceptance on A/A pairs (the original against itself).

Each trial measures a function against an identical or merely reformatted copy with the real
paired, interleaved benchmark and the acceptance rule; any acceptance is a false speedup.

    python benchmarks/false_speedups.py --trials 200 --json out.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
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


def reformatted(source: str) -> str:
    """Same code, different bytes: comments and blank lines only."""
    return "# reformatted copy\n" + source.replace("\n\n\ndef ", "\n\n\n# a comment\ndef ")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--min-speedup", type=float, default=1.05)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sandbox = LocalSandbox()
    started = time.perf_counter()
    rows: dict[str, list[int]] = {name: [0, 0] for name in FUNCTIONS}
    ratios: list[float] = []
    with tempfile.TemporaryDirectory() as root:
        (Path(root) / "aa_mod.py").write_text(MODULE)
        evidence = Evidence(root=root, base_dir=".", module_name="aa_mod")
        inputs: dict[str, bytes] = {}
        for name in FUNCTIONS:
            target = Target(file="aa_mod.py", qualname=name, kind=TargetKind.FUNCTION)
            outcome = read_check(
                sandbox.run(check_job(target, evidence, [MODULE], CheckSettings(max_examples=20)))
            )
            if not isinstance(outcome.verdict, Equivalent):
                raise SystemExit(f"A/A check of {name} did not pass: {outcome.verdict}")
            inputs[name] = outcome.bench_inputs
        for trial in range(args.trials):
            name = FUNCTIONS[trial % len(FUNCTIONS)]
            copy = MODULE if trial % 2 == 0 else reformatted(MODULE)
            target = Target(file="aa_mod.py", qualname=name, kind=TargetKind.FUNCTION)
            measurement = measure_speedup(
                sandbox, target, evidence, copy, inputs[name], args.min_speedup, BenchmarkSettings()
            )
            ratios.append(measurement.speedup)
            rows[name][0] += 1
            if isinstance(decide(measurement, args.min_speedup), Accepted):
                rows[name][1] += 1
    false_accepts = sum(accepts for _, accepts in rows.values())
    result = {
        "trials": args.trials,
        "false_accepts": false_accepts,
        "rate": false_accepts / max(args.trials, 1),
    }
    table = Table(title=f"A/A false-speedup rate (min_speedup {args.min_speedup})")
    for column in ("function", "trials", "false accepts"):
        table.add_column(column)
    for name, (trials, accepts) in rows.items():
        table.add_row(name, str(trials), str(accepts))
    console = Console()
    console.print(table)
    ratios.sort()
    console.print(
        f"rate {result['rate']:.3%}; A/A speedup median {ratios[len(ratios) // 2]:.3f}, "
        f"range {ratios[0]:.3f}-{ratios[-1]:.3f}; {time.perf_counter() - started:.0f}s"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
