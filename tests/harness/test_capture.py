"""Tests for the in-box capture harness, run in real subprocesses with the harness on PYTHONPATH."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from optiagent.services.profiling import SITECUSTOMIZE, SITECUSTOMIZE_DIR

HARNESS = Path(__file__).resolve().parents[2] / "optiagent" / "harness"

PROJECT = {
    "pkg/__init__.py": "",
    "pkg/work.py": """
        import functools

        def quadratic(items: list[int]) -> int:
            count = 0
            for a in items:
                for b in items:
                    count += a == b
            return count

        def drain(items: list[int]) -> int:
            total = 0
            while items:
                total += items.pop()
            return total

        def fails(x: int) -> int:
            raise ValueError(f"bad {x}")

        def numbers(n: int):
            yield from range(n)

        async def later(x: int) -> int:
            return x + 1

        def identity(x):
            return x

        class Box:
            def __init__(self, size: int) -> None:
                self.size = size

            def grow(self, by: int) -> int:
                self.size += by
                return self.size

            @staticmethod
            def make(size: int) -> "Box":
                return Box(size)

            @classmethod
            def empty(cls) -> "Box":
                return cls(0)
        """,
    "bench.py": """
        import asyncio, inspect, pickle, random
        from pkg import work

        random.seed(7)
        before = random.random()
        print(work.quadratic(list(range(300))))
        print(work.drain([1, 2, 3]))
        try:
            work.fails(3)
        except ValueError as error:
            print("raised", error)
        print(list(work.numbers(3)), inspect.isgeneratorfunction(work.numbers))
        print(asyncio.run(work.later(1)), inspect.iscoroutinefunction(work.later))
        print(pickle.loads(pickle.dumps(work.quadratic)) is work.quadratic)
        print(inspect.signature(work.drain))
        print(work.Box.make(2).grow(3), work.Box.empty().size)
        for i in range(100):
            work.identity(i)
        work.identity(lambda: 1)
        random.seed(7)
        print(random.random() == before)
        """,
    "tests/test_work.py": "def test_nothing(x=1):\n    return x\n",
}


def run_workload(tmp_path: Path, argv: list[str], env: dict[str, str] | None = None) -> tuple[str, Path]:
    """Writes the project and the sitecustomize into a work dir, runs `argv` there, returns
    (stdout, capture dir)."""
    work = tmp_path / "work"
    for name, text in PROJECT.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(textwrap.dedent(text))
    (work / SITECUSTOMIZE_DIR).mkdir()
    (work / SITECUSTOMIZE_DIR / "sitecustomize.py").write_bytes(SITECUSTOMIZE)
    harness_root = tmp_path / "harness-root"
    harness_root.mkdir()
    (harness_root / "optiagent_harness").symlink_to(HARNESS)
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": f"{work / SITECUSTOMIZE_DIR}{os.pathsep}{harness_root}",
        **(env or {}),
    }
    done = subprocess.run(
        argv, cwd=work, env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, work / "capture"


def read_index(capture: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for index in sorted(capture.glob("index-*.json")):
        merged.update(json.loads(index.read_text()))
    return merged


def load_calls(capture: Path, entry: dict[str, Any]) -> list[tuple[Any, Any, str | None]]:
    """Unpickles captured calls (fine in a test: we wrote the workload ourselves)."""
    records = pickle.loads((capture / entry["pickle"]).read_bytes())
    return [(pickle.loads(a), pickle.loads(r) if r is not None else None, raised) for a, r, raised in records]


def test_a_subprocess_of_a_subprocess_is_profiled_and_captured(tmp_path: Path) -> None:
    """A workload that starts `python bench.py` from `python -c` still yields profile and calls."""
    launcher = "import subprocess, sys; subprocess.run([sys.executable, 'bench.py'], check=True)"
    _, capture = run_workload(tmp_path, [sys.executable, "-c", launcher])
    profiles = [json.loads(p.read_text()) for p in capture.glob("profile-*.json")]
    assert len(profiles) == 2
    names = {(f["path"], f["name"]) for p in profiles for f in p["functions"]}
    assert ("pkg/work.py", "quadratic") in names
    index = read_index(capture)
    assert index["pkg/work.py::quadratic"]["calls"] == 1
    assert index["pkg/work.py::quadratic"]["shapes"][0]["name"] == "items"


def test_behaviour_is_unchanged_by_capture(tmp_path: Path) -> None:
    """Output, generators, coroutines, pickling, signatures, methods and random state are intact."""
    stdout, _ = run_workload(tmp_path, [sys.executable, "bench.py"])
    assert stdout.splitlines() == [
        "300",
        "6",
        "raised bad 3",
        "[0, 1, 2] True",
        "2 True",
        "True",
        "(items: list[int]) -> int",
        "5 0",
        "True",
    ]


def test_arguments_are_captured_before_the_call_mutates_them(tmp_path: Path) -> None:
    """`drain` empties its list; the captured argument is the list as it was passed."""
    _, capture = run_workload(tmp_path, [sys.executable, "bench.py"])
    [(arguments, result, raised)] = load_calls(capture, read_index(capture)["pkg/work.py::drain"])
    assert arguments == (([1, 2, 3],), {})
    assert (result, raised) == (6, None)


def test_exceptions_methods_and_generators_are_recorded(tmp_path: Path) -> None:
    """Raised exception types, method calls (with self) and generator arguments are recorded."""
    _, capture = run_workload(tmp_path, [sys.executable, "bench.py"])
    index = read_index(capture)
    [(_, result, raised)] = load_calls(capture, index["pkg/work.py::fails"])
    assert (result, raised) == (None, "ValueError")
    assert index["pkg/work.py::Box.grow"]["calls"] == 1
    assert index["pkg/work.py::Box.make"]["shapes"] == [
        {"name": "size", "shape": {"type": "int", "min": 2, "max": 2}}
    ]
    assert index["pkg/work.py::Box.empty"]["calls"] == 1
    [(arguments, result, _)] = load_calls(capture, index["pkg/work.py::numbers"])
    assert arguments == ((3,), {}) and result is None
    assert not any(key.startswith("tests/") for key in index)


def test_sampling_keeps_the_first_half_and_a_reservoir_and_counts_skips(tmp_path: Path) -> None:
    """With 4 calls kept of 101, the first two are kept; an unpicklable argument is skipped."""
    _, capture = run_workload(tmp_path, [sys.executable, "bench.py"], {"OPTIAGENT_CAPTURE_MAX_CALLS": "4"})
    entry = read_index(capture)["pkg/work.py::identity"]
    assert (entry["calls"], entry["captured"]) == (101, 4)
    kept = [arguments[0][0] for arguments, _, _ in load_calls(capture, entry)]
    assert kept[:2] == [0, 1] and all(2 <= value < 100 for value in kept[2:])
    assert entry["skipped"] <= 1  # the lambda, if the reservoir sampled it


def test_oversized_arguments_are_skipped(tmp_path: Path) -> None:
    """Calls whose pickle exceeds the byte bound are counted as skipped, not kept."""
    _, capture = run_workload(tmp_path, [sys.executable, "bench.py"], {"OPTIAGENT_CAPTURE_MAX_BYTES": "200"})
    entry = read_index(capture)["pkg/work.py::quadratic"]
    assert (entry["calls"], entry["captured"], entry["skipped"]) == (1, 0, 1)
    assert entry["problem"] == "pickled arguments over 200 bytes"
    # No call is kept: the pickle holds only the reason, for the check job to report.
    records = pickle.loads((capture / entry["pickle"]).read_bytes())
    assert records == [(b"", None, "<not captured> pickled arguments over 200 bytes")]


def test_forked_multiprocessing_workers_write_their_own_profile(tmp_path: Path) -> None:
    """A multiprocessing worker that ends normally (through os._exit) still writes its profile and calls."""
    script = (
        "import multiprocessing as mp\n"
        "from pkg import work\n"
        "if __name__ == '__main__':\n"
        "    pool = mp.get_context('fork').Pool(1)\n"
        "    print(pool.map(work.quadratic, [[1, 2], [3]]))\n"
        "    pool.close()\n"
        "    pool.join()\n"
    )
    PROJECT["pool.py"] = script
    try:
        stdout, capture = run_workload(tmp_path, [sys.executable, "pool.py"])
    finally:
        del PROJECT["pool.py"]
    assert stdout.strip() == "[2, 1]"
    assert len(list(capture.glob("profile-*.json"))) == 2
    assert read_index(capture)["pkg/work.py::quadratic"]["calls"] == 2
