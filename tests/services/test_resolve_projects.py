"""Which projects a run covers: sub-projects keep their own settings under a --function filter."""

from __future__ import annotations

from pathlib import Path

from optiagent.services.optimize import resolve_projects
from optiagent.services.requests import OptimizeRequest


def _sub_project(root: Path, name: str, source: str) -> None:
    (root / name).mkdir()
    (root / name / "pyproject.toml").write_text(f'[tool.optiagent]\nworkload = "python run_{name}.py"\n')
    (root / name / f"{name}.py").write_text(source)


def test_a_function_filter_keeps_the_sub_projects_that_define_it(tmp_path: Path) -> None:
    _sub_project(tmp_path, "primes", "def primes_below(n: int) -> list[int]:\n    return []\n")
    _sub_project(tmp_path, "words", "def tokenize(text: str) -> list[str]:\n    return text.split()\n")
    [project] = resolve_projects(OptimizeRequest(root=tmp_path, functions=("primes_below",)))
    assert project.prefix == "primes"
    assert project.config.workload == "python run_primes.py"  # its own workload, not dropped


def test_an_unknown_function_keeps_every_sub_project_so_the_report_says_so(tmp_path: Path) -> None:
    _sub_project(tmp_path, "primes", "def primes_below(n: int) -> list[int]:\n    return []\n")
    _sub_project(tmp_path, "words", "def tokenize(text: str) -> list[str]:\n    return text.split()\n")
    projects = resolve_projects(OptimizeRequest(root=tmp_path, functions=("nowhere",)))
    assert sorted(p.prefix for p in projects) == ["primes", "words"]


def test_a_workload_describes_the_root_itself(tmp_path: Path) -> None:
    _sub_project(tmp_path, "primes", "def primes_below(n: int) -> list[int]:\n    return []\n")
    [project] = resolve_projects(OptimizeRequest(root=tmp_path, workload="python all.py"))
    assert project.prefix == "" and project.directory == tmp_path
