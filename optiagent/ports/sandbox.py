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
    """One command in a fresh private work directory.

    `argv[0]` may be the placeholder "{python}", replaced by the job's interpreter. The harness
    (package `optiagent_harness`) and hypothesis are importable inside the box. `files` are written
    into the work directory before the run (relative paths); `collect` names files to bring back.
    `readonly_paths` (e.g. the project root, the interpreter's prefix) are visible read-only.
    `copy_tree` is a host directory copied into the work directory first (a workload then runs on a
    private copy of the project); `cwd` is relative to the work directory; `pythonpath` entries are
    relative to the work directory and go before the harness on PYTHONPATH. `collect` entries ending
    in "/" bring back every file under that directory.
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
    limits: SandboxLimits = field(default_factory=SandboxLimits)


@dataclass(frozen=True)
class SandboxResult:
    status: SandboxStatus
    exit_code: int | None
    stdout: bytes
    stderr: bytes
    wall_s: float
    files: Mapping[str, bytes] = field(default_factory=dict)


class Sandbox(Protocol):
    """Runs jobs in isolation. Implementations: LocalSandbox (subprocess), DockerSandbox, Fake."""

    name: str

    def run(self, job: SandboxJob) -> SandboxResult: ...

    def close(self) -> None: ...


class SandboxUnavailableError(RuntimeError):
    """The sandbox backend cannot run jobs at all (daemon down, unshare refused...)."""
