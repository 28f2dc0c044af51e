"""A job's work directory: filled before the run, read after it. Standard library only.

Shared by the host (LocalSandbox fills and reads a host directory) and the Docker box's job server
(which fills and reads the box's private, size-limited work space, where the host cannot look).
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

# Heavy or private directories of a project are linked, not copied, into a job's work dir.
LINKED_DIRS = frozenset({".git", ".venv", "venv", "node_modules", ".tox", ".optiagent", "__pycache__"})
MAX_COLLECT_BYTES = 64 * 1024 * 1024


def copy_project(source: Path, destination: Path) -> None:
    for entry in source.iterdir():
        target = destination / entry.name
        if entry.name in LINKED_DIRS or entry.is_symlink():
            target.symlink_to(entry.resolve() if entry.exists() else entry.readlink())
        elif entry.is_dir():
            shutil.copytree(entry, target, symlinks=True, ignore=shutil.ignore_patterns(*LINKED_DIRS))
        else:
            shutil.copy2(entry, target)


def read_regular(path: Path, bound: int) -> bytes | None:
    """Up to `bound` bytes of a regular file that is not a symlink; None for anything else."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return handle.read(bound)


def collected_files(workdir: Path, names: tuple[str, ...] | list[str]) -> Iterator[tuple[str, bytes]]:
    """(name relative to the work dir, content) of the regular files `names` select, within one
    budget (a file that does not fit whole is left out); a name ending in `/` selects a
    directory's files, smallest first. Nothing outside the work dir: a job
    may plant symlinks or FIFOs to trap whoever reads its results."""
    budget = MAX_COLLECT_BYTES
    real_workdir = workdir.resolve()
    for name in names:
        path = workdir / name
        if not path.resolve().is_relative_to(real_workdir):
            continue
        # smallest first: when the budget runs out, the large files go (a capture's call pickles),
        # not the small summaries everything else is read from (its profile and index)
        paths = (
            sorted((p for p in path.rglob("*") if p.is_file()), key=_size_then_name)
            if name.endswith("/")
            else [path]
        )
        for file in paths:
            if not file.resolve().is_relative_to(real_workdir):
                continue
            data = read_regular(file, budget + 1)
            if data is None or len(data) > budget:
                continue  # not a regular file, or over what is left: a cut file would be corrupt
            budget -= len(data)
            yield str(file.relative_to(workdir)), data


def _size_then_name(path: Path) -> tuple[int, str]:
    try:
        return path.lstat().st_size, str(path)
    except OSError:
        return 0, str(path)
