"""`[tool.optiagent]` in the optimized project's pyproject.toml: defaults that CLI flags override."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from optiagent.domain.errors import ConfigError

_KNOWN = {"workload", "include", "exclude", "min_speedup", "strategies", "python", "program", "stdin"}


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
    return ProjectConfig(
        workload=table.get("workload"),
        include=_strings(table.get("include", []), "include", path),
        exclude=_strings(table.get("exclude", []), "exclude", path),
        min_speedup=float(min_speedup) if min_speedup is not None else None,
        strategies=_strings(table.get("strategies", []), "strategies", path),
        python=table.get("python"),
        program=table.get("program"),
        stdin=_strings(table.get("stdin", []), "stdin", path),
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
