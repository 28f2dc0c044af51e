"""The Sandbox port: run untrusted code (user code, candidates) away from the service process."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class SandboxStatus(StrEnum):
    OK = "ok"  # exited 0
    ERROR = "error"  # exited non-zero
    TIMEOUT = "timeout"  # wall-clock or CPU limit hit
    OOM = "oom"  # memory limit hit
    KILLED = "killed"  # killed by a signal for another reason


@dataclass(frozen=True)
class SandboxLimits:
    timeout_s: float = 60.0
    cpu_s: int = 120
    memory_mb: int = 2048
    max_processes: int = 64
    max_file_mb: int = 64
    max_output_bytes: int = 1_000_000


@dataclass(frozen=True)
class SandboxJob:
    """One command run with a fresh private work directory.

    Work dir: private and writable; `files` are written into it before the run (relative paths),
    `copy_tree` (a host directory) is copied into it first, `collect` names files in it to bring
    back (an entry ending in "/" brings back every file under that directory). Its absolute path
    is in the environment as `OPTIAGENT_WORK_DIR`; `HOME` and `TMPDIR` are the work dir too.

    `readonly_paths`: host files or directories visible read-only at their real host paths
    (symlinks resolved; "/" is refused). The Docker backend bind-mounts them read-only; the local
    backend enforces read-only with a mount namespace where one is permitted, and otherwise runs
    the job anyway and says so in `SandboxResult.notes`.

    `cwd`: relative (default ".") is under the work dir; absolute must be a directory under one of
    `readonly_paths` (e.g. where the user ran optiagent in their real project tree), else `run`
    raises ValueError. `pythonpath`: relative entries resolve against the work dir (whatever the
    cwd), absolute ones are used as they are; all go first on PYTHONPATH.

    `python`: the job's interpreter, a host path (a venv's bin/python, a pyenv or uv python, a
    system python; CPython >= 3.10); None is the backend's default. `argv[0]` may be the
    placeholder "{python}", replaced by it, and `PATH` starts with its directory, so a shell
    command naming `python` finds it. Docker mounts the venv and its base installation at their
    real paths; when an interpreter cannot be provided, `run` raises InterpreterUnavailableError.

    The harness (package `optiagent_harness`) is importable, and with `harness_deps` so are
    hypothesis and all its requirements for the interpreter's version, from a directory placed on
    PYTHONPATH right after `pythonpath` (before the interpreter's site-packages, so a project's
    own hypothesis or attrs does not shadow ours). Nothing is installed into the project's
    environment: its site-packages, `.pth` files and sitecustomize are processed as usual (a
    `sitecustomize.py` in `pythonpath` shadows the environment's). `harness_deps=False` leaves
    hypothesis & co off the path, so a project's workload imports its own versions.
    """

    argv: tuple[str, ...]
    files: Mapping[str, bytes] = field(default_factory=dict)
    stdin: bytes = b""
    env: Mapping[str, str] = field(default_factory=dict)
    python: str | None = None
    readonly_paths: tuple[str, ...] = ()
    collect: tuple[str, ...] = ()
    copy_tree: str | None = None
    cwd: str = "."
    pythonpath: tuple[str, ...] = ()
    harness_deps: bool = True
    limits: SandboxLimits = field(default_factory=SandboxLimits)


WORK_DIR_ENV = "OPTIAGENT_WORK_DIR"


@dataclass(frozen=True)
class SandboxResult:
    status: SandboxStatus
    exit_code: int | None
    stdout: bytes
    stderr: bytes
    wall_s: float
    files: Mapping[str, bytes] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # what the backend could not do as asked (e.g. read-only not enforced)


class Sandbox(Protocol):
    """Runs jobs in isolation. Implementations: LocalSandbox (subprocess), DockerSandbox, Fake."""

    name: str

    def run(self, job: SandboxJob) -> SandboxResult: ...

    def close(self) -> None: ...


class SandboxUnavailableError(RuntimeError):
    """The sandbox backend cannot run jobs at all (daemon down, unshare refused...)."""


class InterpreterUnavailableError(SandboxUnavailableError):
    """The sandbox cannot run this job's interpreter (or bring the harness's dependencies to it)."""
