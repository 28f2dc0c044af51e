"""What every sandbox backend does the same way: fill a job's work dir, read results, name the outcome."""

from __future__ import annotations

import os
import shutil
import signal
import stat
from pathlib import Path

from optiagent.ports.sandbox import SandboxJob, SandboxStatus

# Heavy or private directories of a project are linked, not copied, into a job's work dir.
LINKED_DIRS = frozenset({".git", ".venv", "venv", "node_modules", ".tox", ".optiagent", "__pycache__"})
_MAX_COLLECT_BYTES = 64 * 1024 * 1024


def copy_project(source: Path, destination: Path) -> None:
    for entry in source.iterdir():
        target = destination / entry.name
        if entry.name in LINKED_DIRS or entry.is_symlink():
            target.symlink_to(entry.resolve() if entry.exists() else entry.readlink())
        elif entry.is_dir():
            shutil.copytree(entry, target, symlinks=True, ignore=shutil.ignore_patterns(*LINKED_DIRS))
        else:
            shutil.copy2(entry, target)


def fill_workdir(job: SandboxJob, workdir: Path) -> None:
    """The project copy first, then the job's own files on top."""
    if job.copy_tree:
        copy_project(Path(job.copy_tree), workdir)
    for relative, content in job.files.items():
        path = workdir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def collect(workdir: Path, names: tuple[str, ...]) -> dict[str, bytes]:
    """Regular files under the work dir only: a job may plant symlinks or FIFOs to trap the host."""
    found: dict[str, bytes] = {}
    budget = _MAX_COLLECT_BYTES
    real_workdir = workdir.resolve()
    for name in names:
        path = workdir / name
        if not path.resolve().is_relative_to(real_workdir):
            continue
        paths = sorted(p for p in path.rglob("*") if p.is_file()) if name.endswith("/") else [path]
        for file in paths:
            if not file.resolve().is_relative_to(real_workdir):
                continue
            data = _read_regular(file, budget)
            if data is None:
                continue
            budget -= len(data)
            found[str(file.relative_to(workdir))] = data
    return found


def _read_regular(path: Path, bound: int) -> bytes | None:
    """Up to `bound` bytes of a regular file that is not a symlink; None for anything else."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return handle.read(bound)


def read_bounded(path: Path, bound: int) -> bytes:
    data = _read_regular(path, bound + 1) or b""
    return data if len(data) <= bound else data[:bound] + b"\n[... output truncated]"


def status_of(returncode: int, stderr: bytes, timed_out: bool, oom: bool = False) -> SandboxStatus:
    if timed_out or returncode in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
        return SandboxStatus.TIMEOUT
    if oom or b"MemoryError" in stderr[-4000:]:
        return SandboxStatus.OOM
    if returncode == 0:
        return SandboxStatus.OK
    if returncode < 0 or returncode > 128:
        return SandboxStatus.KILLED
    return SandboxStatus.ERROR
