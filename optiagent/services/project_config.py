"""`[tool.optiagent]` in the optimized project's pyproject.toml: defaults that CLI flags override."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from optiagent.domain.errors import ConfigError
from optiagent.services.layout import Layout

_KNOWN = {
    "workload",
    "include",
    "exclude",
    "min_speedup",
    "strategies",
    "python",
    "program",
    "stdin",
    "time_budget",
    "github",  # [tool.optiagent.github]: the GitHub App's table (optiagent/github_app/config.py), not the run's
}


@dataclass(frozen=True)
class ProjectConfig:
    workload: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    min_speedup: float | None = None
    strategies: tuple[str, ...] = ()
    python: str | None = None
    program: str | None = None  # a script target, relative to the project
    stdin: tuple[str, ...] = ()  # its input cases (files or directories of *.in)
    time_budget: float | None = None  # seconds of a run spent on targets, in rank order


def _strings(value: object, key: str, path: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{path}: [tool.optiagent] {key} must be a string or a list of strings")


def read_project_config(directory: Path) -> ProjectConfig | None:
    """The project's configuration, or None when it has no `[tool.optiagent]` table."""
    path = directory / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from error
    table = data.get("tool", {}).get("optiagent")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.optiagent] must be a table")
    unknown = sorted(set(table) - _KNOWN)
    if unknown:
        raise ConfigError(f"{path}: unknown [tool.optiagent] keys {unknown}; known: {sorted(_KNOWN)}")
    min_speedup = table.get("min_speedup")
    if min_speedup is not None and not isinstance(min_speedup, (int, float)):
        raise ConfigError(f"{path}: [tool.optiagent] min_speedup must be a number")
    time_budget = table.get("time_budget")
    if time_budget is not None and (not isinstance(time_budget, (int, float)) or time_budget <= 0):
        raise ConfigError(f"{path}: [tool.optiagent] time_budget must be a positive number of seconds")
    return ProjectConfig(
        workload=table.get("workload"),
        include=_strings(table.get("include", []), "include", path),
        exclude=_strings(table.get("exclude", []), "exclude", path),
        min_speedup=float(min_speedup) if min_speedup is not None else None,
        strategies=_strings(table.get("strategies", []), "strategies", path),
        python=table.get("python"),
        program=table.get("program"),
        stdin=_strings(table.get("stdin", []), "stdin", path),
        time_budget=float(time_budget) if time_budget is not None else None,
    )


def find_projects(root: Path, max_depth: int = 3) -> list[tuple[Path, ProjectConfig]]:
    """Sub-projects with their own `[tool.optiagent]` table under a directory with none itself."""
    found: list[tuple[Path, ProjectConfig]] = []

    def walk(directory: Path, depth: int) -> None:
        for child in sorted(p for p in directory.iterdir() if p.is_dir() and not p.is_symlink()):
            if child.name.startswith((".", "_")) or child.name in {"node_modules", "venv", "build", "dist"}:
                continue
            config = read_project_config(child)
            if config is not None:
                found.append((child, config))
            elif depth < max_depth:
                walk(child, depth + 1)

    walk(root, 1)
    return found


def confine(config: ProjectConfig, layout: Layout, root: Path) -> tuple[ProjectConfig, Layout]:
    """A project of a stranger's job (OptimizeRequest.untrusted), made data rather than authority.

    Nothing the job's files say may reach outside its tree `root` or above the operator's limits:
    the interpreter is always the server's (an interpreter the job names, even inside its own
    tree, is a program the worker would start on the host to describe it, and its directories
    what the Docker sandbox mounts); the tree the sandbox sees and the workload's directory are
    inside `root`; `program` and `stdin` name files inside it; `time_budget` is the operator's.
    A `python` key is ignored rather than refused, so a project set up for the CLI still runs.
    """
    real_root = root.resolve()

    def inside(path: Path) -> bool:
        real = Path(os.path.realpath(path))
        return real == real_root or real_root in real.parents

    home = layout.workload_dir
    for key, values in (("program", (config.program,) if config.program else ()), ("stdin", config.stdin)):
        for value in values:
            if Path(value).is_absolute() or not inside(home / value):
                raise ConfigError(f"[tool.optiagent] {key} must name a path inside the project: {value!r}")
    if not inside(layout.target):
        raise ConfigError("the project lies outside the job's files")
    confined = replace(
        layout,
        tree=layout.tree if inside(layout.tree) else real_root,
        workload_dir=layout.workload_dir if inside(layout.workload_dir) else real_root,
        python=None,
        python_source="",
    )
    return replace(config, python=None, time_budget=None), confined
