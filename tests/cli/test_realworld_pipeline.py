"""Pipeline behaviour found by running `benchmarks/realworld_yield.py` on real libraries, each on a
tiny project in tmp_path (no download)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def optimize(project: Path, *args: str) -> tuple[int, str, dict[str, Any]]:
    report = project / "report.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "optiagent.cli",
            "optimize",
            *args,
            "--json",
            str(report),
            "--sandbox",
            "local",
        ],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    data = json.loads(report.read_text()) if report.exists() else {}
    return done.returncode, done.stdout + done.stderr, data


def small_project(root: Path, core: str, bench: str) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "core.py").write_text(core)
    (root / "bench.py").write_text(bench)
    return root


def test_self_check_all_checks_a_target_no_rule_proposed_for(tmp_path: Path) -> None:
    """`--self-check-all` (what realworld_yield passes) self-checks targets without candidates too, so the
    benchmark's false-rejection count covers every target, not only those a rule fired on."""
    project = small_project(
        tmp_path,
        "def scale(x: int) -> int:\n    return x * 3 + 1\n",
        "from pkg.core import scale\nprint(sum(scale(i) for i in range(100000)))\n",
    )
    code, output, report = optimize(project, "pkg", "--workload", "python bench.py", "--self-check-all")
    assert code == 0, output
    (target,) = report["targets"]
    assert target["candidates"] == 0 and target["self_check"] == "equivalent", target
