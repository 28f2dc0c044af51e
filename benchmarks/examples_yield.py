"""Yield on the bundled examples: targets improved, geomean speedup, wall time, incorrect edits.

On a private copy of the examples: records every workload's and program case's output, runs
`optiagent optimize --apply --json`, and runs them all again: any output that differs counts as an
incorrect edit (a check independent of the validator).

    python benchmarks/examples_yield.py [--examples examples] [--json out.json] [--report report.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]


def _run_case(directory: Path, command: list[str], stdin: bytes | None = None) -> bytes:
    done = subprocess.run(command, cwd=directory, input=stdin, capture_output=True, timeout=300, check=False)
    return done.stdout + f"\n[exit {done.returncode}]".encode()


def _observations(root: Path) -> dict[str, bytes]:
    """Workload stdout per example, and program stdout per stdin case."""
    seen: dict[str, bytes] = {}
    for config_path in sorted(root.rglob("pyproject.toml")):
        table = tomllib.loads(config_path.read_text()).get("tool", {}).get("optiagent", {})
        directory = config_path.parent
        if table.get("workload"):
            words = str(table["workload"]).split()
            command = [sys.executable if w == "python" else w for w in words]
            seen[str(directory.relative_to(root))] = _run_case(directory, command)
        if table.get("program"):
            for case in sorted(directory.glob("*.in")):
                key = f"{directory.relative_to(root)}/{case.name}"
                seen[key] = _run_case(directory, [sys.executable, str(table["program"])], case.read_bytes())
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=Path, default=REPO / "examples")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--report", type=Path, help="keep optiagent's full report (per-target stages) here")
    parser.add_argument("--min-lower-bound", type=float, default=1.2)
    parser.add_argument("--max-targets", type=int, default=6, help="per sub-project (tools/demo uses 2)")
    parser.add_argument(
        "--time-budget",
        type=float,
        help="seconds for all targets (optiagent's default: 600; under load it leaves targets skipped)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "examples"
        shutil.copytree(args.examples, work, ignore=shutil.ignore_patterns(".optiagent", "__pycache__"))
        report_path = Path(scratch) / "report.json"
        before = _observations(work)
        started = time.perf_counter()
        subprocess.run(
            [
                str(REPO / ".venv/bin/optiagent"),
                "optimize",
                str(work),
                "--json",
                str(report_path),
                "--apply",
                "--max-targets",
                str(args.max_targets),
                *(["--time-budget", str(args.time_budget)] if args.time_budget else []),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - started
        report = json.loads(report_path.read_text())
        if args.report:
            shutil.copyfile(report_path, args.report)
        after = _observations(work)
    incorrect = sorted(key for key in before if before[key] != after.get(key))
    targets = report["targets"]
    improved = [t for t in targets if t["status"] == "improved"]
    strong = [t for t in improved if t["ci"] and t["ci"][0] >= args.min_lower_bound]
    table = Table(title="examples yield")
    for column in ("target", "status", "speedup", "95% CI", "s", "rules"):
        table.add_column(column)
    for t in targets:
        table.add_row(
            f"{t['file']}::{t['qualname']}",
            t["status"],
            f"{t['speedup']:.2f}x" if t["speedup"] else "",
            f"{t['ci'][0]:.2f}-{t['ci'][1]:.2f}" if t["ci"] else "",
            f"{t.get('wall_seconds', 0):.0f}",
            ",".join(t["rules"]),
        )
    slowest = max(targets, key=lambda t: t.get("wall_seconds", 0), default=None)
    console = Console()
    console.print(table)
    result = {
        "targets": len(targets),
        "improved": len(improved),
        "skipped": sum(t["status"] == "skipped" for t in targets),
        f"improved_lower_bound_ge_{args.min_lower_bound}": len(strong),
        "geomean_speedup": report["summary"]["geomean_speedup"],
        "wall_seconds": round(wall, 1),
        "slowest_target_seconds": slowest.get("wall_seconds", 0) if slowest else 0,
        "slowest_target": f"{slowest['file']}::{slowest['qualname']}" if slowest else None,
        "program_targets_improved": sum(t["qualname"] == "<program>" for t in improved),
        "incorrect_edits": len(incorrect),
        "incorrect": incorrect,
    }
    console.print(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
