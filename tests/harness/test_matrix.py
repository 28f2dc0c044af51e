"""The in-sandbox matrix harness, run as `python -m optiagent_harness.matrix` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias

import pytest

HARNESS_DIR = Path(__file__).resolve().parents[2] / "optiagent" / "harness"
Runner: TypeAlias = Callable[[dict[str, Any]], dict[str, Any]]
ADD_ONE = "def f(x):\n    return x + 1\n"
TESTS = ["assert f(1) == 2", "assert f(2) == 3", "assert f(0) == 5"]


@pytest.fixture
def run_harness(tmp_path: Path) -> Runner:
    """Runs the harness on a job dict the way a sandbox does: the package on PYTHONPATH."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "optiagent_harness").symlink_to(HARNESS_DIR, target_is_directory=True)

    def run(job: dict[str, Any]) -> dict[str, Any]:
        (tmp_path / "job.json").write_text(json.dumps(job))
        subprocess.run(
            [sys.executable, "-m", "optiagent_harness.matrix", "job.json", "out.json"],
            cwd=tmp_path, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, check=True, timeout=120,
        )  # fmt: skip
        result: dict[str, Any] = json.loads((tmp_path / "out.json").read_text())
        return result

    return run


def test_rows_record_which_tests_each_program_passes(run_harness: Runner) -> None:
    """A correct-ish program gets its 0/1 row; a wrong one its own row; both executed."""
    out = run_harness({"programs": [ADD_ONE, "def f(x):\n    return 2\n"], "tests": TESTS})
    assert out["tests_compile"] is True
    assert [p["row"] for p in out["programs"]] == [[1, 1, 0], [1, 0, 0]]
    assert all(p["executed"] for p in out["programs"])


def test_hanging_test_fails_alone_under_the_signal_timer(run_harness: Runner) -> None:
    """An infinite loop on one input times out that test only; the others still run."""
    looping = "def f(x):\n    while x == 2:\n        pass\n    return x + 1\n"
    out = run_harness({"programs": [looping], "tests": TESTS, "test_timeout_s": 0.1})
    assert out["programs"][0]["row"] == [1, 0, 0]


def test_exit_raising_module_or_wall_overrun_loses_the_row_but_not_the_runner(run_harness: Runner) -> None:
    """SystemExit at module level, SystemExit in a test, a crash, and a wall overrun give no row."""
    swallowing = "def f(x):\n    while True:\n        try:\n            pass\n        except BaseException:\n            pass\n"
    programs = [
        "import sys\nsys.exit(3)\n",
        "def f(x):\n    raise SystemExit\n",
        "import os\nos._exit(1)\n",
        swallowing,
        ADD_ONE,
    ]
    out = run_harness({"programs": programs, "tests": TESTS, "test_timeout_s": 0.1})
    assert [p["executed"] for p in out["programs"]] == [False, False, False, True, True]
    assert out["programs"][4]["row"] == [1, 1, 0]


def test_wall_limit_is_tests_times_timeout_plus_overhead(run_harness: Runner) -> None:
    """A module body slower than 0.1 s x M + 0.1 s loses its row even though no test times out."""
    slow_import = "import time\ntime.sleep(0.6)\n" + ADD_ONE
    out = run_harness({"programs": [slow_import], "tests": TESTS, "test_timeout_s": 0.1})
    assert out["programs"][0]["executed"] is False
    assert "wall time" in out["programs"][0]["error"]


def test_exit_is_disabled_so_calling_it_only_fails_the_test(run_harness: Runner) -> None:
    """Like CodeT's reliability guard, exit() is None inside the child, so it raises TypeError."""
    out = run_harness({"programs": ["def f(x):\n    exit(0)\n"], "tests": TESTS})
    assert out["programs"][0] == {"executed": True, "row": [0, 0, 0], "ground_truth": None, "error": ""}


def test_ground_truth_runs_program_plus_check(run_harness: Runner) -> None:
    """The ground truth is appended to each program and passes only if nothing raises in time."""
    check = "def check(candidate):\n    assert candidate(5) == 6\ncheck(f)"
    slow = "def f(x):\n    import time\n    time.sleep(0.3)\n    return x + 1\n"
    out = run_harness(
        {"programs": [ADD_ONE, "def f(x):\n    return 0\n", slow], "tests": [], "ground_truth": check}
    )
    assert [p["ground_truth"] for p in out["programs"]] == [True, False, False]


def test_a_test_that_needs_module_scope_fails_every_program_like_codet(run_harness: Runner) -> None:
    """`from x import *` compiles at module level but not in a function: CodeT loses all rows."""
    tests = [*TESTS, "assert f(3) == 4\nfrom math import *"]
    out = run_harness({"programs": [ADD_ONE], "tests": tests})
    assert out["tests_compile"] is False
    assert out["programs"][0]["executed"] is False
    lenient = run_harness({"programs": [ADD_ONE], "tests": tests, "test_syntax_error": "fail_test"})
    assert lenient["programs"][0]["row"] == [1, 1, 0, 0]


def test_printing_and_reading_stdin_do_not_disturb_the_result_file(run_harness: Runner) -> None:
    """Program output is swallowed and input() fails the test instead of blocking."""
    chatty = "def f(x):\n    print('noise')\n    return x + 1\n"
    reading = "def f(x):\n    return int(input())\n"
    out = run_harness({"programs": [chatty, reading], "tests": TESTS})
    assert [p["row"] for p in out["programs"]] == [[1, 1, 0], [0, 0, 0]]


def test_main_blocks_of_candidates_do_not_run(run_harness: Runner) -> None:
    """Programs execute under a module name other than __main__, so their main block is skipped."""
    guarded = ADD_ONE + "if __name__ == '__main__':\n    raise SystemExit(1)\n"
    out = run_harness({"programs": [guarded], "tests": TESTS})
    assert out["programs"][0]["row"] == [1, 1, 0]


def test_a_child_cannot_escape_into_the_runner_loop(run_harness: Runner) -> None:
    """An exception whose __str__ raises still yields exactly one result per program."""
    nasty = "class E(Exception):\n    def __str__(self):\n        raise SystemExit\nraise E()\n"
    out = run_harness({"programs": [nasty, ADD_ONE], "tests": TESTS})
    assert [p["executed"] for p in out["programs"]] == [False, True]
    assert out["programs"][0]["error"] == "error E"
