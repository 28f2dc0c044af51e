"""Tests for profiling a workload in the sandbox and ranking functions by addressable time."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.services.discovery import discover
from optiagent.services.layout import build_layout
from optiagent.services.profiling import aggregate, capture_job, profile_workload, rank_from_profile

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "discovery" / "quadratic"
NESTED = "python -c 'import subprocess, sys; subprocess.run([sys.executable, \"bench.py\"], check=True)'"


@pytest.fixture(scope="module")
def sandbox() -> LocalSandbox:
    return LocalSandbox()


def test_workload_ranking_puts_the_quadratic_function_first(sandbox: LocalSandbox) -> None:
    """A nested-subprocess workload is profiled; the O(n^2) function ranks first, with captures."""
    layout = build_layout(FIXTURE, FIXTURE, sys.executable, "--python", NESTED)
    profile = profile_workload(sandbox, layout, NESTED, timeout_s=120)
    assert not profile.failed, profile.stderr_tail
    keys = [f.key for f in profile.functions]
    assert keys[:2] == ["pkg/dedupe.py::count_duplicates", "pkg/dedupe.py::total"]
    hottest = profile.functions[0]
    assert hottest.ncalls == 3 and hottest.captured_calls == 3 and hottest.skipped_calls == 0
    assert hottest.shapes[0]["name"] == "items" and hottest.shapes[0]["shape"]["type"] == "list"
    assert hottest.result_shape == {"type": "int", "min": 11126, "max": 11126}
    assert set(hottest.capture_files) <= set(profile.captures)
    assert profile.total_s >= hottest.addressable_s > 0
    targets, _ = rank_from_profile(profile, discover(FIXTURE))
    assert [t.key for t in targets[:2]] == keys[:2]
    assert targets[0].score == hottest.addressable_s and targets[0].start_line == 12


def test_failing_workload_is_reported_not_raised(sandbox: LocalSandbox) -> None:
    """A workload that exits non-zero comes back `failed` with the tail of its stderr."""
    command = "python -c 'import sys; sys.exit(\"boom\")'"
    profile = profile_workload(
        sandbox, build_layout(FIXTURE, FIXTURE, None, "", command), command, timeout_s=60
    )
    assert profile.failed
    assert "boom" in profile.stderr_tail


def test_capture_job_runs_in_the_real_tree_with_the_chosen_interpreter_first_on_path(tmp_path: Path) -> None:
    """The workload runs where the user ran it, on the real tree (read-only), nothing copied; the
    project's interpreter is first on PATH so `python bench.py` means the project's python."""
    python = tmp_path / "venv" / "bin" / "python"
    layout = build_layout(FIXTURE / "pkg", FIXTURE, str(python), "--python", "python bench.py")
    job = capture_job(layout, "python bench.py", 30)
    assert job.argv[:2] == ("/bin/sh", "-c")
    assert job.argv[2].startswith(f'PATH={python.parent}:"$PATH"; export PATH; python bench.py')
    assert job.pythonpath == ("_capture",) and "_capture/sitecustomize.py" in job.files
    assert job.copy_tree is None and job.cwd == str(FIXTURE) and job.collect == ("capture/",)
    assert job.readonly_paths == (str(layout.tree),) and FIXTURE.is_relative_to(layout.tree)
    assert job.env["OPTIAGENT_CAPTURE_ROOT"] == str(FIXTURE / "pkg")


def entry(
    path: str, line: int, name: str, own: float, callees: list[dict[str, object]] | None = None
) -> dict[str, object]:
    return {
        "path": path,
        "line": line,
        "name": name,
        "ncalls": 1,
        "tottime": own,
        "cumtime": own,
        "callees": callees or [],
    }


def test_addressable_time_adds_project_callees_and_builtins_and_drops_tiny_functions(tmp_path: Path) -> None:
    """Addressable = own + builtins called + project callees (not recursion); <0.1% is dropped."""
    (tmp_path / "m.py").write_text(
        "import functools\n\n"
        "@functools.cache\n"
        "def outer(n):\n    return inner(n) + sorted([n])[0]\n\n"
        "def inner(n):\n    return inner(n - 1) if n else 0\n\n"
        "def tiny(n):\n    return n\n"
    )
    profile = {
        "total_s": 10.0,
        "functions": [
            entry(
                "m.py", 3, "outer", 1.0,
                [{"path": "m.py", "line": 7, "name": "inner", "cumtime": 4.0},
                 {"path": None, "builtin": True, "line": 0, "name": "sorted", "cumtime": 0.5}],
            ),
            entry("m.py", 7, "inner", 4.0, [{"path": "m.py", "line": 7, "name": "inner", "cumtime": 3.0}]),
            entry("m.py", 10, "tiny", 0.005),
            entry("m.py", 1, "<module>", 9.0),
        ],
    }  # fmt: skip
    index = {
        "m.py::inner": {"calls": 5, "captured": 2, "skipped": 1, "pickle": "calls-1-ab.pkl", "shapes": []}
    }
    files = {"capture/calls-1-ab.pkl": b"opaque", "capture/other.pkl": b"x"}
    result = aggregate(tmp_path, [profile, json.loads(json.dumps(profile))], [index], files)
    assert [(f.qualname, f.addressable_s) for f in result.functions] == [("outer", 11.0), ("inner", 8.0)]
    assert result.total_s == 20.0
    inner = result.functions[1]
    assert (inner.captured_calls, inner.skipped_calls, inner.capture_files) == (
        2,
        1,
        ("capture/calls-1-ab.pkl",),
    )
    assert result.captures == {"capture/calls-1-ab.pkl": b"opaque"}


def test_a_driver_over_a_deep_call_tree_ranks_below_the_functions_doing_the_work(tmp_path: Path) -> None:
    """Only direct callees' own time counts: `run` (own 0.1 s) calls `step` (own 0.5 s), which calls
    `work` (own 6 s). `work` ranks first, `step` (0.5 + 6) second, `run` (0.1 + 0.5) last, where
    cumulative time would have put the driver first."""
    (tmp_path / "m.py").write_text(
        "def run(n):\n    return step(n)\n\ndef step(n):\n    return work(n)\n\ndef work(n):\n    return n\n"
    )

    def edge(line: int, name: str, cumulative: float, own: float) -> dict[str, object]:
        return {"path": "m.py", "line": line, "name": name, "cumtime": cumulative, "tottime": own}

    profile = {
        "total_s": 7.0,
        "functions": [
            entry("m.py", 1, "run", 0.1, [edge(4, "step", 6.5, 0.5)]),
            entry("m.py", 4, "step", 0.5, [edge(7, "work", 6.0, 6.0)]),
            entry("m.py", 7, "work", 6.0),
        ],
    }
    result = aggregate(tmp_path, [profile], [], {})
    ranked = [(f.qualname, round(f.addressable_s, 6)) for f in result.functions]
    assert ranked == [("step", 6.5), ("work", 6.0), ("run", 0.6)]


def test_a_real_workloads_driver_ranks_below_its_worker(sandbox: LocalSandbox, tmp_path: Path) -> None:
    """Through the capture harness (its wrappers included): `run` only loops over `step`, `step`
    only calls `work`, `work` does the arithmetic. `run` ranks below both."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "chain.py").write_text(
        "def run(items):\n    return [step(i) for i in items]\n\n"
        "def step(i):\n    return work(i)\n\n"
        "def work(i):\n    total = 0\n    for k in range(400):\n        total += (i * k) % 7\n    return total\n"
    )
    (tmp_path / "bench.py").write_text("from pkg.chain import run\n\nprint(sum(run(range(3000))))\n")
    command = "python bench.py"
    layout = build_layout(tmp_path / "pkg", tmp_path, sys.executable, "--python", command)
    profile = profile_workload(sandbox, layout, command, timeout_s=120)
    assert not profile.failed, profile.stderr_tail
    scores = {f.qualname: f.addressable_s for f in profile.functions}
    assert [f.qualname for f in profile.functions][:2] == ["step", "work"]
    assert scores["run"] < 0.5 * scores["work"], scores


def test_malformed_profile_documents_are_ignored(tmp_path: Path) -> None:
    """Garbage written by a workload process does not crash aggregation."""
    (tmp_path / "m.py").write_text("def f(x):\n    return x\n")
    good = {"total_s": 1.0, "functions": [entry("m.py", 1, "f", 1.0)]}
    bad = {"total_s": "lots", "functions": [{"path": 3}]}
    result = aggregate(tmp_path, [bad, good, {"functions": [{"path": "m.py"}]}], [{"x": 1}], {})
    assert [f.qualname for f in result.functions] == ["f"]
