"""What every sandbox backend does the same way: fill a job's work dir, read results, name the outcome."""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping
from pathlib import Path

from optiagent.harness.box_files import collected_files, copy_project, read_regular
from optiagent.ports.sandbox import SandboxJob, SandboxStatus


def fill_workdir(job: SandboxJob, workdir: Path) -> None:
    """The project copy first, then the job's own files on top."""
    if job.copy_tree:
        copy_project(Path(job.copy_tree), workdir)
    write_files(job.files, workdir)


def write_files(files: Mapping[str, bytes], directory: Path) -> None:
    """A job's own files (relative paths) under `directory`, which is created if missing."""
    directory.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def readonly_mounts(paths: tuple[str, ...] | list[str]) -> list[str]:
    """Real paths to show read-only, existing ones only, none inside another (it is visible already)."""
    real = {os.path.realpath(path) for path in paths}
    if "/" in real:
        raise ValueError("refusing to mount the host's root directory into the sandbox")
    kept = sorted(path for path in real if os.path.exists(path))
    return [p for p in kept if not any(p != q and Path(p).is_relative_to(q) for q in kept)]


def job_cwd(job: SandboxJob, workdir: Path) -> str:
    """Where the job runs: under the work dir (relative `cwd`), or a directory under one of its
    read-only paths (absolute `cwd`, checked here)."""
    if not os.path.isabs(job.cwd):
        return str(workdir / job.cwd)
    real = Path(os.path.realpath(job.cwd))
    if not any(real.is_relative_to(os.path.realpath(path)) for path in job.readonly_paths):
        raise ValueError(f"absolute cwd {job.cwd} is not under the job's read-only paths")
    return job.cwd


def job_pythonpath(job: SandboxJob, workdir: Path) -> list[str]:
    """The job's `pythonpath`: relative entries against the work dir, absolute ones as they are."""
    return [entry if os.path.isabs(entry) else str(workdir / entry) for entry in job.pythonpath]


def collect(workdir: Path, names: tuple[str, ...]) -> dict[str, bytes]:
    """Regular files under the work dir only: a job may plant symlinks or FIFOs to trap the host."""
    return dict(collected_files(workdir, names))


def read_bounded(path: Path, bound: int) -> bytes:
    return bounded(read_regular(path, bound + 1) or b"", bound)


def bounded(data: bytes, bound: int) -> bytes:
    """At most `bound` bytes of an output, marked when there was more."""
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
