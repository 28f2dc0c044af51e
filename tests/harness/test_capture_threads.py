"""Profiling sees threads other than the main one (cProfile before 3.12 does not by itself)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.harness.test_capture import PROJECT, read_index, run_workload

POOLED = (
    "from concurrent.futures import ThreadPoolExecutor\n"
    "import threading\n"
    "from pkg import work\n"
    "with ThreadPoolExecutor(2) as pool:\n"
    "    print(sum(pool.map(work.quadratic, [list(range(300))] * 4)))\n"
    "thread = threading.Thread(target=work.quadratic, args=(list(range(200)),))\n"
    "thread.start()\n"
    "thread.join()\n"
)
OTHER_PYTHONS = [
    pytest.param(python, id=Path(python).parents[1].name)
    for python in ("/root/.pyenv/versions/3.10.13/bin/python", "/root/.pyenv/versions/3.12.1/bin/python")
    if Path(python).exists()
]


def profiled_functions(capture: Path) -> dict[tuple[str, str], dict[str, object]]:
    (profile,) = [json.loads(p.read_text()) for p in capture.glob("profile-*.json")]
    return {(f["path"], f["name"]): f for f in profile["functions"]}


@pytest.mark.parametrize("python", [sys.executable, *OTHER_PYTHONS])
def test_work_done_in_a_thread_pool_is_ranked(tmp_path: Path, python: str) -> None:
    """A workload whose hot function runs only in pool threads (and one plain thread) has that
    function in its profile with every call and most of the time, on each Python."""
    PROJECT["pooled.py"] = POOLED
    try:
        stdout, capture = run_workload(tmp_path, [python, "pooled.py"])
    finally:
        del PROJECT["pooled.py"]
    assert stdout.strip() == "1200"
    functions = profiled_functions(capture)
    hot = functions[("pkg/work.py", "quadratic")]
    assert hot["ncalls"] == 5
    assert float(hot["tottime"]) > 0.5 * max(float(f["tottime"]) for f in functions.values())  # type: ignore[arg-type]
    assert read_index(capture)["pkg/work.py::quadratic"]["calls"] >= 1  # its arguments captured too
