"""A service job's `[tool.optiagent]` is data: confine() keeps its projects inside the job's files,
with the server's interpreter, whatever the configuration names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from optiagent.domain.errors import ConfigError
from optiagent.services.layout import Layout
from optiagent.services.optimize import resolve_projects
from optiagent.services.project_config import ProjectConfig, confine
from optiagent.services.requests import OptimizeRequest


def _job(root: Path, table: str) -> Path:
    project = root / "job" / "src" / "p"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text(f"[tool.optiagent]\n{table}\n")
    (project / "mod.py").write_text("def f(x):\n    return x\n")
    return project


def _confined(project: Path) -> tuple[ProjectConfig, Layout]:
    [resolved] = resolve_projects(OptimizeRequest(root=project, cwd=project, untrusted=True))
    return confine(resolved.config, resolved.layout, project)


@pytest.mark.parametrize(
    "python", ["/usr/bin/python3", "../../other-job/src/.venv/bin/python", "bin/python", "python3"]
)
def test_no_interpreter_a_job_names_is_kept(tmp_path: Path, python: str) -> None:
    """Outside the tree, inside it (the worker would start it on the host to describe it) or a
    bare name: the job runs with the server's interpreter, and the project still runs."""
    project = _job(tmp_path, f'python = "{python}"\nworkload = "python run.py"')
    config, layout = _confined(project)
    assert config.python is None and layout.python is None


def test_a_workload_naming_a_shipped_interpreter_does_not_choose_it(tmp_path: Path) -> None:
    """`bin/python run.py` may run in the sandbox, but is not the interpreter the worker describes."""
    project = _job(tmp_path, 'workload = "bin/python run.py"')
    (project / "bin").mkdir()
    (project / "bin" / "python").write_text("#!/bin/sh\n")
    [resolved] = resolve_projects(OptimizeRequest(root=project, cwd=project, untrusted=True))
    assert resolved.layout.python is not None  # what resolve alone would have chosen
    _, layout = confine(resolved.config, resolved.layout, project)
    assert layout.python is None


def test_the_tree_the_sandbox_sees_stays_inside_the_job(tmp_path: Path) -> None:
    """A job unpacked inside some git checkout of the operator's does not get that checkout mounted."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    project = _job(tmp_path, 'workload = "python run.py"')
    [resolved] = resolve_projects(OptimizeRequest(root=project, cwd=project, untrusted=True))
    assert resolved.layout.tree == tmp_path.resolve()  # what resolve alone would have shown
    _, layout = confine(resolved.config, resolved.layout, project)
    assert layout.tree == project.resolve()
    assert layout.readonly_paths == (str(project.resolve()),)


@pytest.mark.parametrize(
    "table",
    [
        'program = "../../../etc/passwd"',
        f'program = "{sys.executable}"',
        'program = "main.py"\nstdin = ["/etc"]',
        'program = "main.py"\nstdin = ["cases", "../../../../etc"]',
    ],
)
def test_program_and_stdin_outside_the_job_are_refused(tmp_path: Path, table: str) -> None:
    """A program or input cases outside the job's files would be read on the host: refused."""
    project = _job(tmp_path, table)
    (project / "main.py").write_text("print(input())\n")
    (project / "cases").mkdir()
    with pytest.raises(ConfigError, match="inside the project"):
        _confined(project)


def test_a_time_budget_in_the_job_is_the_operators(tmp_path: Path) -> None:
    """`time_budget` from the job's files is dropped: limits are the operator's."""
    project = _job(tmp_path, "time_budget = 100000")
    config, _ = _confined(project)
    assert config.time_budget is None
