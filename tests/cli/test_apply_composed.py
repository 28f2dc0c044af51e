"""`optimize --apply` with several accepted edits in one module: all land, composed and checked together."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CONFIG = '[tool.optiagent]\nworkload = "python workload.py"\n'

# Three functions the catalogue improves, each edit adding something at the top of the module
# (an import for two of them): a line-based merge of the three sees overlapping edits.
GRAPHS = '''\
"""Graph helpers with three slow spots, one module."""


def fib(n: int) -> int:
    """The n-th Fibonacci number, by plain recursion."""
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def hops(graph: dict[int, list[int]], start: int) -> dict[int, int]:
    """Hop distance from start: breadth first, with a list as the queue."""
    dist = {start: 0}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in graph.get(node, []):
            if nxt not in dist:
                dist[nxt] = dist[node] + 1
                queue.append(nxt)
    return dist


def common(xs: list[int], ys: list[int]) -> list[int]:
    """Items of xs that are also in ys, in order."""
    out = []
    for x in xs:
        if x in ys:
            out.append(x)
    return out


def _selftest() -> None:
    assert [fib(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert hops({0: [1, 2], 1: [3], 2: [3], 3: []}, 0) == {0: 0, 1: 1, 2: 1, 3: 2}
    assert common([5, 1, 4, 1], [1, 4]) == [1, 4, 1]


if __name__ == "__main__":
    _selftest()
    print("ok")
'''

GRAPHS_WORKLOAD = """\
import random

from graphs import common, fib, hops

rng = random.Random(7)
size = 12000
graph = {n: [rng.randrange(size) for _ in range(3)] for n in range(size)}
graph[0] = list(range(1, size))
print(fib(22))
print(sorted(hops(graph, 0).items())[-3:])
xs = [rng.randrange(4000) for _ in range(3000)]
ys = [rng.randrange(4000) for _ in range(1500)]
print(common(xs, ys)[-5:])
"""

# Two regex rewrites that both add a module constant `_PATTERN_1`, for different patterns.
SCAN = '''\
"""Two line counters that each match a different pattern."""

import re


def numbered(lines: list[str]) -> int:
    """Lines that start with digits."""
    total = 0
    for line in lines:
        if re.match(r"\\d+", line):
            total += 1
    return total


def worded(lines: list[str]) -> int:
    """Lines that start with a lower-case word."""
    total = 0
    for line in lines:
        if re.match(r"[a-z]+", line):
            total += 1
    return total


if __name__ == "__main__":
    assert numbered(["12 a", "b", "3"]) == 2
    assert worded(["12 a", "b", "3"]) == 1
    print("ok")
'''

SCAN_WORKLOAD = """\
import random

from scan import numbered, worded

rng = random.Random(3)
lines = ["".join(rng.choice("ab1 ") for _ in range(6)) for _ in range(20000)]
print(numbered(lines), worded(lines))
"""


def project(root: Path, module: str, text: str, workload: str) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(CONFIG)
    (root / module).write_text(text)
    (root / "workload.py").write_text(workload)
    return root


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=900,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )


def optimize_apply(root: Path, report: Path) -> subprocess.CompletedProcess[str]:
    return run(
        sys.executable,
        "-m",
        "optiagent.cli",
        "optimize",
        str(root),
        "--apply",
        "--sandbox",
        "local",
        "--json",
        str(report),
    )


def test_three_improved_functions_in_one_module_all_land(tmp_path: Path) -> None:
    """All three accepted edits of one module are written; the module still passes its own asserts."""
    root = project(tmp_path / "graphs", "graphs.py", GRAPHS, GRAPHS_WORKLOAD)
    before = run(sys.executable, "workload.py", cwd=root).stdout
    done = optimize_apply(root, tmp_path / "report.json")
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    statuses = {t["qualname"]: (t["status"], t["reason"]) for t in report["targets"]}
    assert all(status == "improved" for status, _ in statuses.values()) and len(statuses) == 3, statuses
    assert all(t["applied"] for t in report["targets"])
    [composed] = report["files"]
    assert sorted(composed["edits"]) == ["common", "fib", "hops"] and composed["dropped"] == []
    assert sorted(composed["validated_on"]) == ["common", "fib", "hops"]
    text = (root / "graphs.py").read_text()
    assert "@functools.cache" in text and "collections.deque([start])" in text and "ys_set = set(ys)" in text
    assert text.count("import functools") == 1 and text.count("import collections") == 1
    assert "not applied" not in done.stderr
    selftest = run(sys.executable, "graphs.py", cwd=root)
    assert selftest.returncode == 0 and selftest.stdout == "ok\n", selftest.stderr
    assert run(sys.executable, "workload.py", cwd=root).stdout == before


def test_two_edits_adding_one_helper_name_differently_keep_the_faster(tmp_path: Path) -> None:
    """Both regex edits add `_PATTERN_1` with different patterns: only the faster lands, and the
    report and the apply output say why the other did not."""
    root = project(tmp_path / "scan", "scan.py", SCAN, SCAN_WORKLOAD)
    before = run(sys.executable, "workload.py", cwd=root).stdout
    done = optimize_apply(root, tmp_path / "report.json")
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    targets = {t["qualname"]: t for t in report["targets"]}
    assert {t["status"] for t in targets.values()} == {"improved"}, [t["reason"] for t in targets.values()]
    faster, slower = sorted(targets.values(), key=lambda t: -t["speedup"])
    assert faster["applied"] and not slower["applied"]
    assert any("_PATTERN_1" in note and faster["qualname"] in note for note in slower["notes"])
    [composed] = report["files"]
    assert composed["edits"] == [faster["qualname"]]
    assert [d["qualname"] for d in composed["dropped"]] == [slower["qualname"]]
    assert f"not applied to scan.py: {slower['qualname']}:" in done.stderr
    text = (root / "scan.py").read_text()
    assert text.count("_PATTERN_1 = re.compile") == 1
    selftest = run(sys.executable, "scan.py", cwd=root)
    assert selftest.returncode == 0 and selftest.stdout == "ok\n", selftest.stderr
    assert run(sys.executable, "workload.py", cwd=root).stdout == before
