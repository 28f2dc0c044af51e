"""LocalSandbox: the no-daemon default. A subprocess with rlimits, no network, a private work dir.

What it contains: network (a fresh network namespace where `unshare` is permitted, otherwise the
harness refuses sockets through an audit hook), writes to the job's read-only paths (a private
mount namespace re-mounts them read-only where one is permitted; otherwise each result says so in
`notes`; this stops a workload's accidental writes into the user's tree, not a hostile job, which
is root in that namespace and could remount), CPU seconds, address space, file size, processes
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

from optiagent.adapters.sandbox.harness_root import build_harness_root
from optiagent.adapters.sandbox.interpreter import describe, refuse_job_interpreter
from optiagent.adapters.sandbox.workdir import (
    collect,
    fill_workdir,
    job_cwd,
    job_pythonpath,
    read_bounded,
    readonly_mounts,
    status_of,
)
from optiagent.ports.sandbox import WORK_DIR_ENV, SandboxJob, SandboxLimits, SandboxResult

# Runs first inside the job's mount namespace: each read-only path is bind-mounted onto itself and
# re-mounted read-only, the work dir (which may lie under one of them) is made writable again,
# and only then does the job enter its cwd (a cwd entered before would still be the writable
# mount underneath). Arguments: MOUNT COUNT PATH... WORKDIR CWD -- ARGV...
_READONLY_SCRIPT = """set -e
mount=$1; n=$2; shift 2
while [ "$n" -gt 0 ]; do
  "$mount" --bind "$1" "$1"
  "$mount" -o remount,bind,ro "$1" "$1"
  n=$((n - 1)); shift
done
"$mount" --bind "$1" "$1"
"$mount" -o remount,bind,rw "$1" "$1"
cd "$2"; shift 3
exec "$@"
"""


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


def _readonly_prefix(prefix: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """(unshare prefix with a mount namespace, None) where read-only bind mounts work here, else
    (prefix unchanged, why not). Probed once: a path made read-only must refuse a write."""
    mount = shutil.which("mount")
    if mount is None or shutil.which("unshare") is None:
        return prefix, "no mount or unshare command"
    bases = [prefix] if prefix else []
    bases += [("unshare",), ("unshare", "--map-root-user")]
    reason = "no mount namespace is permitted"
    with tempfile.TemporaryDirectory(prefix="optiagent-ro-probe-") as scratch:
        tree, work = Path(scratch) / "tree", Path(scratch) / "tree" / "work"
        work.mkdir(parents=True)
        probe = "touch work/ok && ! touch denied 2>/dev/null"
        for base in bases:
            candidate = (*base, "--mount") if "--mount" not in base else base
            argv = [*candidate, "/bin/sh", "-c", _READONLY_SCRIPT, "sh", mount, "1", str(tree)]
            argv += [str(work), str(tree), "--", "/bin/sh", "-c", probe]
            try:
                done = subprocess.run(argv, cwd=scratch, capture_output=True, timeout=10, check=False)
            except (OSError, subprocess.SubprocessError) as error:
                reason = str(error)
                continue
            if done.returncode == 0 and (work / "ok").exists() and not (tree / "denied").exists():
                return candidate, None
            reason = done.stderr.decode("utf-8", "replace").strip()[-200:] or reason
    return prefix, reason


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
        self,
        limits: SandboxLimits | None = None,
        python: str | None = None,
        deps_dir: str | None = None,
        job_interpreters: bool = True,  # False (the service): a job may not name its interpreter
    ) -> None:
        self._deps_dir = deps_dir  # `pip install --target` dependencies of the code under test
        self._job_interpreters = job_interpreters
        self._default_limits = limits
        self._python = python or sys.executable
        self._prefix = _isolation_prefix()
        self._mount_prefix, self._readonly_refused = _readonly_prefix(self._prefix)
        self._mount = shutil.which("mount") or "mount"
        build_harness_root(self._python)  # fail now, not in the first job, when it cannot be built

    @property
    def network_isolated(self) -> bool:
        return bool(self._prefix)

    @property
    def readonly_enforced(self) -> bool:
        """Whether a job's read-only paths are really read-only (a mount namespace is permitted)."""
        return self._readonly_refused is None

    def _command(
        self, job: SandboxJob, argv: list[str], workdir: Path
    ) -> tuple[list[str], str, tuple[str, ...]]:
        """(command line, directory to start it in, notes) with read-only paths enforced if possible."""
        cwd = job_cwd(job, workdir)
        mounts = readonly_mounts(job.readonly_paths)
        if not mounts:
            return [*self._prefix, *argv], cwd, ()
        if self._readonly_refused is not None:
            note = f"read-only paths not enforced (writable by the job): {self._readonly_refused}"
            return [*self._prefix, *argv], cwd, (note,)
        script = ["/bin/sh", "-c", _READONLY_SCRIPT, "sh", self._mount, str(len(mounts)), *mounts]
        return [*self._mount_prefix, *script, str(workdir), cwd, "--", *argv], str(workdir), ()

    def run(self, job: SandboxJob) -> SandboxResult:
        limits = (
            self._default_limits if self._default_limits and job.limits == SandboxLimits() else job.limits
        )
        if job.python and not self._job_interpreters:
            raise refuse_job_interpreter(job.python)
        python = describe(job.python).path if job.python else self._python
        with tempfile.TemporaryDirectory(prefix="optiagent-job-") as scratch:
            workdir = Path(scratch) / "work"
            workdir.mkdir()
            fill_workdir(job, workdir)
            argv = [python if arg == "{python}" else arg for arg in job.argv]
            command, start_dir, notes = self._command(job, argv, workdir)
            env = self._environment(job, workdir, python)
            out_path, err_path = Path(scratch) / "stdout", Path(scratch) / "stderr"
            started = time.perf_counter()
            timed_out = False
            with out_path.open("wb") as out, err_path.open("wb") as err:
                process = subprocess.Popen(
                    command,
                    cwd=start_dir,
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
                notes=notes,
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
        harness = build_harness_root(python)
        pythonpath = job_pythonpath(job, workdir) + harness.pythonpath(job.harness_deps)
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
            "HYPOTHESIS_STORAGE_DIRECTORY": str(harness.storage),
            WORK_DIR_ENV: str(workdir),
        }
        if not self._prefix:
            env["OPTIAGENT_NO_NETWORK"] = "1"
        env.update(job.env)
        return env
