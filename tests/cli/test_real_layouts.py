"""`optiagent optimize` on projects laid out as their owners lay them out: a src/ package, a bench
script beside it, an editable or installed copy in the project's own venv, a failing workload."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path
from typing import Any

import pytest

CORE = '''
def dedupe(items: list[int]) -> list[int]:
    """Items in first-seen order, without repeats."""
    seen = []
    out = []
    for x in items:
        if x not in seen:
            seen.append(x)
            out.append(x)
    return out


def spread(values):
    total = 0
    for v in values:
        total += v * v - v
    return total
'''

BENCH = """
import random
import sys

sys.path.insert(0, "src")  # as many bench scripts beside a src/ layout do
from textkit.core import dedupe, spread

rng = random.Random(1)
for _ in range(20):
    xs = [rng.randrange(2000) for _ in range(2000)]
    dedupe(xs)
    spread(xs)
print("done")
"""


def run_cli(*args: str, cwd: Path) -> tuple[int, str, dict[str, Any]]:
    report = cwd / "report.json"
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
        cwd=cwd,
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    data = json.loads(report.read_text()) if report.exists() else {}
    return done.returncode, done.stdout + done.stderr, data


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git repository with the package under src/ and bench.py at its root (not in src/)."""
    root = tmp_path / "repo"
    package = root / "src" / "textkit"
    package.mkdir(parents=True)
    (root / ".git").mkdir()  # what makes it a work tree for the layout
    (package / "__init__.py").write_text("from .core import dedupe\n")
    (package / "core.py").write_text(CORE)
    (root / "bench.py").write_text(BENCH)
    return root


def make_venv(root: Path, source_dir: Path | None, copy_of: Path | None = None) -> Path:
    """A venv whose site-packages finds textkit via a `.pth` (editable) or holds a copy of it."""
    env_dir = root / ".venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)}))
    if source_dir is not None:
        (purelib / "__editable__.textkit-0.1.pth").write_text(f"{source_dir}\n")
    if copy_of is not None:
        (purelib / "textkit").mkdir()
        for file in copy_of.iterdir():
            (purelib / "textkit" / file.name).write_text(file.read_text())
    return env_dir / "bin" / "python"


def target_names(report: dict[str, Any]) -> dict[str, str]:
    targets = report.get("targets", [])
    assert isinstance(targets, list)
    return {f"{t['file']}::{t['qualname']}": t["status"] for t in targets}


def test_bench_script_beside_the_package_runs_from_the_repository_root(repository: Path) -> None:
    """`optimize src/textkit --workload "python bench.py"` from the root: bench.py is found, the
    package's functions are targets, and bench.py (outside the target) is not one."""
    code, output, report = run_cli(
        "src/textkit", "--workload", f"{sys.executable} bench.py", "--function", "dedupe", cwd=repository
    )
    assert code == 0, output
    names = target_names(report)
    assert names.get("core.py::dedupe") == "improved", output
    assert not any(name.startswith("bench.py") and status != "not_target" for name, status in names.items())


def test_pythonpath_assignment_in_the_workload_keeps_the_profiler(repository: Path) -> None:
    """`PYTHONPATH=src python bench.py` (no sys.path line in the script) still profiles the target."""
    (repository / "bench.py").write_text(BENCH.replace('sys.path.insert(0, "src")', ""))
    code, output, report = run_cli(
        "src/textkit",
        "--workload",
        f"PYTHONPATH=src {sys.executable} bench.py",
        "--max-targets",
        "1",
        cwd=repository,
    )
    assert code == 0, output
    assert "core.py::dedupe" in target_names(report), output


def test_editable_install_in_the_projects_venv_is_profiled(repository: Path) -> None:
    """A `.pth` editable install makes the workload import the real files: they are the targets."""
    python = make_venv(repository, repository / "src")
    code, output, report = run_cli(
        "src/textkit", "--workload", ".venv/bin/python bench.py", "--max-targets", "1", cwd=repository
    )
    names = target_names(report)
    assert "core.py::dedupe" in names, output
    assert "<workload>" not in " ".join(names), output
    assert python.exists() and code == 0, output


def other_minor_python() -> str | None:
    """An interpreter of another minor version than ours (pyenv's or uv's), if the machine has one."""
    for candidate in sorted(Path("/root/.pyenv/versions").glob("3.1[02]*/bin/python3")) + [
        Path(p) for p in ("/usr/bin/python3.12", "/usr/bin/python3.10")
    ]:
        if candidate.exists():
            return str(candidate)
    found = subprocess.run(["uv", "python", "find", "3.12"], capture_output=True, text=True, check=False)
    return found.stdout.strip() or None if found.returncode == 0 else None


def test_project_venv_of_another_python_minor_version(repository: Path) -> None:
    """Profiling, validation and benchmarks run under the project's own 3.12 (or 3.10) venv, which
    has no hypothesis: the harness brings its own dependencies; the edit is accepted."""
    python = other_minor_python()
    if python is None:
        pytest.skip("no Python of another minor version on this machine")
    env_dir = repository / ".venv"
    subprocess.run([python, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    site = next(env_dir.glob("lib/python3.*/site-packages"))
    (site / "textkit.pth").write_text(f"{repository / 'src'}\n")
    (repository / "bench.py").write_text(BENCH.replace('sys.path.insert(0, "src")', ""))
    code, output, report = run_cli(
        "src/textkit", "--workload", ".venv/bin/python bench.py", "--function", "dedupe", cwd=repository
    )
    assert code == 0, output
    assert target_names(report).get("core.py::dedupe") == "improved", output


def test_installed_copy_is_named_and_exits_2(repository: Path) -> None:
    """A non-editable copy in site-packages runs no code under the target: exit 2, and the message
    says where the package was imported from and what to do."""
    make_venv(repository, None, copy_of=repository / "src" / "textkit")
    (repository / "bench.py").write_text(BENCH.replace('sys.path.insert(0, "src")', ""))
    code, output, _ = run_cli("src/textkit", "--workload", ".venv/bin/python bench.py", cwd=repository)
    assert code == 2, output
    assert "ran no code under" in output and "site-packages" in output and "editable" in output


def test_failing_workload_exits_2_with_its_stderr(repository: Path) -> None:
    """A workload that fails is exit 2 with its own error text, not a quiet exit 0."""
    (repository / "bench.py").write_text("raise SystemExit('fixture file data.csv is missing')\n")
    code, output, _ = run_cli("src/textkit", "--workload", f"{sys.executable} bench.py", cwd=repository)
    assert code == 2, output
    assert "data.csv is missing" in output and "failed" in output


def test_workload_reads_relative_data_files_of_the_tree(repository: Path) -> None:
    """Relative paths in the workload resolve against where the user ran it (the tree is not copied)."""
    (repository / "data").mkdir()
    (repository / "data" / "n.txt").write_text("1500\n")
    (repository / "bench.py").write_text(
        "import sys\nsys.path.insert(0, 'src')\nfrom textkit.core import dedupe\n"
        "n = int(open('data/n.txt').read())\n"
        "for _ in range(20):\n    dedupe([i % 700 for i in range(n)])\n"
    )
    code, output, report = run_cli(
        "src/textkit", "--workload", f"{sys.executable} bench.py", "--max-targets", "1", cwd=repository
    )
    assert code == 0, output
    assert "core.py::dedupe" in target_names(report), output


def test_every_hot_function_is_tried_within_the_time_budget(tmp_path: Path) -> None:
    """No fixed cap of 6: eight hot functions are all targets. A budget spent at once (it starts with
    the first target, not with profiling) tries the hottest and says why for each of the others."""
    root = tmp_path / "many"
    root.mkdir()
    body = "\n".join(
        f"def f{i}(n):\n    t = 0\n    for k in range(n * {i + 1}):\n        t += k ^ {i}\n    return t\n"
        for i in range(8)
    )
    (root / "many.py").write_text(body)
    (root / "bench.py").write_text(
        "import many\nfor _ in range(3):\n" + "".join(f"    many.f{i}(20000)\n" for i in range(8))
    )
    code, output, report = run_cli(".", "--workload", f"{sys.executable} bench.py", cwd=root)
    names = target_names(report)
    tried = [n for n, status in names.items() if n.startswith("many.py::") and status != "not_target"]
    assert code == 0 and len(tried) == 8, output
    code, output, report = run_cli(
        ".", "--workload", f"{sys.executable} bench.py", "--time-budget", "0.001", cwd=root
    )
    statuses = [t for t in report["targets"] if t["file"] == "many.py"]
    not_started = [t for t in statuses if "time budget" in str(t["reason"])]
    assert code == 0 and len(statuses) == 8 and len(not_started) == 7, output
    assert "time budget" not in str(statuses[0]["reason"]), "the hottest target is always tried"
