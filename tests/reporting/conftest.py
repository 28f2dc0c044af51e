"""One real `optiagent optimize` run (with --json and --html) shared by the reporting tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# The target's own source carries markup: the page must show it as text.
SLOW_MODULE = '''
def common(xs: list[int], ys: list[int]) -> list[int]:
    """Items of xs that are also in ys, in order. <script>document.title = 'pwned'</script>"""
    out = []
    for x in xs:
        if x in ys:
            out.append(x)
    return out
'''

WORKLOAD = """
from slow import common

total = 0
for k in range(60):
    total += len(common(list(range(k, 400 + k)), list(range(0, 800, 3))))
print(total)
"""


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "optiagent.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        env={**os.environ, "COLUMNS": "120", **(env or {})},
        check=False,
    )


@dataclass(frozen=True)
class RealRun:
    root: Path
    json_path: Path
    html_path: Path

    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.json_path.read_text())
        return data


@pytest.fixture(scope="session")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> RealRun:
    base = tmp_path_factory.mktemp("real-run")
    root = base / "proj"
    root.mkdir()
    (root / "slow.py").write_text(SLOW_MODULE)
    (root / "workload.py").write_text(WORKLOAD)
    json_path, html_path = base / "report.json", base / "report.html"
    done = run_cli(
        "optimize", ".", "--workload", "python workload.py", "--time-budget", "120",
        "--json", str(json_path), "--html", str(html_path),
        cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return RealRun(root, json_path, html_path)
