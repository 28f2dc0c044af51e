"""Where a run's code lives, built once per project and passed down.

A user runs `optiagent optimize src/pkg --workload "python bench.py"` from their repository root.
Four places matter, and they differ: the target (only its files are optimized), the enclosing tree
(visible read-only to the sandbox at its real path, so `bench.py`, `tests/`, `conftest.py`, data
files and an editable install's finder all work), the directory the workload runs in, and the
interpreter. Nothing is copied: the workload runs on the real files, read-only, and the profile maps
executed files to targets by real path, whichever way the code was imported.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

_PYTHON_NAME = re.compile(r"python(\d+(\.\d+)?)?$")


@dataclass(frozen=True)
class Layout:
    target: Path  # real path of the directory whose files are targets
    tree: Path  # real path of the enclosing tree, visible read-only (contains `target`)
    workload_dir: Path  # real path; where the workload command runs
    python: str | None  # absolute path of the project's interpreter (not resolved: a venv's python is a link)
    python_source: str = ""  # how the interpreter was chosen, for the report ("--python", "workload", ...)

    @property
    def readonly_paths(self) -> tuple[str, ...]:
        """The tree, plus the workload's directory when it lies outside the tree."""
        paths = [str(self.tree)]
        if not _is_within(self.workload_dir, self.tree) and self.workload_dir != Path("/"):
            paths.append(str(self.workload_dir))
        return tuple(paths)

    def relative_to_target(self, real_file: str) -> str | None:
        """A real path's name relative to the target, or None when it lies outside it."""
        path = Path(real_file)
        return path.relative_to(self.target).as_posix() if _is_within(path, self.target) else None

    def relative_to_tree(self, real_file: str) -> str | None:
        path = Path(real_file)
        return path.relative_to(self.tree).as_posix() if _is_within(path, self.tree) else None


def _is_within(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def git_work_tree(start: Path) -> Path | None:
    """The git work tree containing `start` (a `.git` directory or file above it), if any."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def enclosing_tree(target: Path, workload_dir: Path | None) -> Path:
    """The git work tree, else the workload's directory, else the target, whichever contains it."""
    candidates = [git_work_tree(target), workload_dir.resolve() if workload_dir else None, target]
    for candidate in candidates:
        if candidate is not None and _is_within(target, candidate) and candidate != Path("/"):
            return candidate
    return target


def workload_interpreter(command: str, cwd: Path) -> str | None:
    """The interpreter a workload names as its program (`.venv/bin/python bench.py`), absolute."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or "/" not in words[0] or not _PYTHON_NAME.match(Path(words[0]).name):
        return None
    path = Path(words[0]) if Path(words[0]).is_absolute() else cwd / words[0]
    return os.path.abspath(path) if path.exists() else None


def absolute_python(python: str | None, base: Path) -> str | None:
    """An interpreter path made absolute against `base` (a bare name such as `python3` is kept)."""
    if not python or "/" not in python:
        return python
    return os.path.abspath(Path(python) if Path(python).is_absolute() else base / python)


def build_layout(
    target: Path,
    workload_dir: Path,
    python: str | None,
    python_source: str,
    workload: str | None,
) -> Layout:
    """The layout of one project. `target` is a directory (a file target's parent)."""
    real_target = target.resolve()
    chosen, source = python, python_source
    if chosen is None and workload:
        chosen = workload_interpreter(workload, workload_dir)
        source = "the workload's interpreter" if chosen else ""
    return Layout(
        target=real_target,
        tree=enclosing_tree(real_target, workload_dir if workload else None),
        workload_dir=workload_dir.resolve(),
        python=chosen,
        python_source=source,
    )
