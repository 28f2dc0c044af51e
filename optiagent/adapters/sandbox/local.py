"""LocalSandbox: the no-daemon default. A subprocess with rlimits, no network, a private work dir.

What it contains: network (a fresh network namespace where `unshare` is permitted, otherwise the
harness refuses sockets through an audit hook), CPU seconds, address space, file size, processes
(a PID namespace kills whatever the job leaves behind), wall-clock time, output size, and the
service's environment (jobs get a minimal one). What it does not: the job runs as the invoking user
and can read what that user can read. It is not a security boundary for a public service; use
the Docker backend there.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from optiagent.adapters.sandbox.harness_root import HYPOTHESIS_STORAGE, build_harness_root
from optiagent.adapters.sandbox.workdir import collect, fill_workdir, read_bounded, status_of
from optiagent.ports.sandbox import SandboxJob, SandboxLimits, SandboxResult


def _isolation_prefix() -> tuple[str, ...]:
    """The best isolation this machine permits, probed once."""
    candidates = (
        ("unshare", "--net", "--pid", "--fork", "--mount-proc", "--kill-child"),
        ("unshare", "--map-root-user", "--net", "--pid", "--fork", "--mount-proc", "--kill-child"),
        ("unshare", "--map-root-user", "--net"),
    )
    if shutil.which("unshare") is None:
        return ()
    for prefix in candidates:
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=10, check=False)
        if probe.returncode == 0:
            return prefix
    return ()


def _limit_setter(limits: SandboxLimits) -> Callable[[], None]:
    def apply_limits() -> None:
        memory = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        file_bytes = limits.max_file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if os.getuid() != 0:  # root ignores RLIMIT_NPROC; the PID namespace bounds it instead
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes))

    return apply_limits


class LocalSandbox:
    """Runs each job in a fresh temporary directory as a restricted child process."""

    name = "local"

    def __init__(
        self, limits: SandboxLimits | None = None, python: str | None = None, deps_dir: str | None = None
    ) -> None:
        self._deps_dir = deps_dir  # `pip install --target` dependencies of the code under test
        self._default_limits = limits
        self._python = python or sys.executable
        self._prefix = _isolation_prefix()
        self._harness_root = build_harness_root()

    @property
    def network_isolated(self) -> bool:
        return bool(self._prefix)

    def run(self, job: SandboxJob) -> SandboxResult:
        limits = (
            self._default_limits if self._default_limits and job.limits == SandboxLimits() else job.limits
        )
        python = job.python or self._python
        with tempfile.TemporaryDirectory(prefix="optiagent-job-") as scratch:
            workdir = Path(scratch) / "work"
            workdir.mkdir()
            fill_workdir(job, workdir)
            argv = [python if arg == "{python}" else arg for arg in job.argv]
            env = self._environment(job, workdir, python)
            out_path, err_path = Path(scratch) / "stdout", Path(scratch) / "stderr"
            started = time.perf_counter()
            timed_out = False
            with out_path.open("wb") as out, err_path.open("wb") as err:
                process = subprocess.Popen(
                    [*self._prefix, *argv],
                    cwd=workdir / job.cwd,
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=out,
                    stderr=err,
                    preexec_fn=_limit_setter(limits),
                    start_new_session=True,
                )
                try:
                    process.communicate(job.stdin, timeout=limits.timeout_s)
                except subprocess.TimeoutExpired:
                    timed_out = True
                finally:
                    self._kill_group(process)
            wall = time.perf_counter() - started
            stdout = read_bounded(out_path, limits.max_output_bytes)
            stderr = read_bounded(err_path, limits.max_output_bytes)
            returncode = process.returncode if process.returncode is not None else -signal.SIGKILL
            return SandboxResult(
                status=status_of(returncode, stderr, timed_out),
                exit_code=None if timed_out or returncode < 0 else returncode,
                stdout=stdout,
                stderr=stderr,
                wall_s=wall,
                files=collect(workdir, job.collect),
            )

    def close(self) -> None:
        """Nothing is kept between jobs."""

    @staticmethod
    def _kill_group(process: subprocess.Popen[bytes]) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()

    def _environment(self, job: SandboxJob, workdir: Path, python: str) -> Mapping[str, str]:
        pythonpath = [str(workdir / entry) for entry in job.pythonpath] + [str(self._harness_root)]
        if self._deps_dir:
            pythonpath.append(self._deps_dir)
        path_dirs = [str(Path(python).parent), "/usr/local/bin", "/usr/bin", "/bin"]
        env = {
            "PATH": os.pathsep.join(path_dirs),
            "HOME": str(workdir),
            "TMPDIR": str(workdir),
            "LANG": "C.UTF-8",
            "PYTHONPATH": os.pathsep.join(pythonpath),
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "HYPOTHESIS_STORAGE_DIRECTORY": str(self._harness_root / HYPOTHESIS_STORAGE),
        }
        if not self._prefix:
            env["OPTIAGENT_NO_NETWORK"] = "1"
        env.update(job.env)
        return env
