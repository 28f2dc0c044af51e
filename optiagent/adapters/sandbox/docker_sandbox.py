"""DockerSandbox: every job in a hardened container (see docker_box.container_options).

Each container runs the harness's job server (`optiagent_harness.box_server`) as PID 1; the service
talks to it over a unix socket in a per-container host directory that is bind-mounted at the same
path, and writes each job's files into a fresh `job-<random>/work` directory there. The server
forks a fresh process per job, enforces the wall clock, kills whatever the job left behind and
reports exit status and OOM kills. Jobs of the same shape (read-only mounts, memory, pids) reuse
warm containers; see docker_pool.py. Containers carry labels naming their owner process, and
containers of owners that are gone are removed when a DockerSandbox starts.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optiagent.adapters.sandbox.docker_box import (
    DIR_LABEL,
    LABEL,
    OWNER_LABEL,
    BoxConfig,
    BoxContainer,
    BoxShape,
    NotDelivered,
    remove_tree,
)
from optiagent.adapters.sandbox.docker_image import (
    DEPS_MOUNT,
    HYPOTHESIS_STORAGE,
    LIB_DIR,
    SANDBOX_UID,
    box_python,
    image_exists,
    image_tag,
    python_prefix,
)
from optiagent.adapters.sandbox.docker_pool import BoxPool
from optiagent.adapters.sandbox.docker_snapshot import readable_snapshot
from optiagent.adapters.sandbox.harness_root import harness_source_dir
from optiagent.adapters.sandbox.workdir import collect, fill_workdir, read_bounded, status_of
from optiagent.ports.sandbox import (
    SandboxJob,
    SandboxLimits,
    SandboxResult,
    SandboxStatus,
    SandboxUnavailableError,
)

_REPLY_GRACE_S = 10.0  # the server enforces the deadline; the host waits this much longer
_DELIVERY_ATTEMPTS = 3
_VIOLATIONS = frozenset({SandboxStatus.TIMEOUT, SandboxStatus.OOM, SandboxStatus.KILLED})


@dataclass(frozen=True)
class DockerOptions:
    warm: bool = True
    pool_size: int = 4
    max_jobs_per_container: int = 200
    idle_s: float = 120.0
    cpus: float = 2.0
    tmpfs_mb: int = 64
    deps_dir: str | None = None  # `pip install --target` output, mounted read-only on PYTHONPATH
    work_root: str | None = None  # where per-container directories live (default: /var/tmp)
    image: str | None = None  # another image (e.g. built from the Dockerfile); default: tools/sandbox-image's
    image_python: str | None = None  # its interpreter; default: the host's base interpreter path


def connect(timeout_s: float = 5.0) -> Any:
    """A docker client whose daemon answered, or SandboxUnavailableError with the reason."""
    try:
        import docker.client

        client = docker.client.from_env(timeout=max(int(timeout_s), 1))
        client.ping()
    except Exception as error:
        raise SandboxUnavailableError(f"no Docker daemon answers: {error}") from error
    return client


def _process_start(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "?"


def owner_token(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"


def _owner_gone(token: str) -> bool:
    host, _, rest = token.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another machine's container: not ours to judge
    return owner_token(int(pid_text)) != token


def reap_stale(client: Any) -> int:
    """Removes sandbox containers (and their directories) whose owning process is gone."""
    removed = 0
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        labels = container.labels or {}
        if not _owner_gone(labels.get(OWNER_LABEL, "")):
            continue
        try:
            container.remove(force=True)
        except Exception:  # removed concurrently
            continue
        removed += 1
        if labels.get(DIR_LABEL):
            remove_tree(Path(labels[DIR_LABEL]))
    return removed


def _venv_root(python: Path) -> Path | None:
    for parent in list(python.parents)[:3]:
        if (parent / "pyvenv.cfg").is_file():
            return parent
    return None


class DockerSandbox:
    """Runs each job in a fresh process in a hardened container; warm containers are reused."""

    name = "docker"

    def __init__(
        self,
        limits: SandboxLimits | None = None,
        options: DockerOptions | None = None,
        client: Any = None,
        image: str | None = None,
    ) -> None:
        self._default_limits = limits
        self.options = options or DockerOptions()
        self._client = client or connect()
        self.image = image or self.options.image or image_tag()
        self._box_python = self.options.image_python or box_python()
        if not image_exists(self._client, self.image):
            raise SandboxUnavailableError(
                f"sandbox image {self.image} is missing; build it with tools/sandbox-image"
            )
        reap_stale(self._client)
        self._uid = SANDBOX_UID if os.getuid() == 0 else os.getuid()
        self._gid = SANDBOX_UID if os.getuid() == 0 else os.getgid()
        # Not under /tmp: the box has its own /tmp, emptied between jobs.
        root = Path(self.options.work_root or "/var/tmp") / f"optiagent-docker-{os.getuid()}"
        root.mkdir(mode=0o711, exist_ok=True)
        self._work_root = root
        _remove_dead_dirs(root)
        self._snapshots = root / f"snapshots-{os.getpid()}-{secrets.token_hex(4)}"  # one per sandbox
        self._snapshots.mkdir(mode=0o711, exist_ok=True)
        self._config = BoxConfig(
            image=self.image,
            python=self._box_python,
            harness_dir=str(harness_source_dir()),
            deps_dir=self.options.deps_dir,
            cpus=min(self.options.cpus, float(os.cpu_count() or 1)),
            tmpfs_mb=self.options.tmpfs_mb,
            user=f"{self._uid}:{self._gid}",
            owner=owner_token(),
            instance=secrets.token_hex(8),
        )
        self._pool = BoxPool(
            self._start_box,
            size=self.options.pool_size,
            warm=self.options.warm,
            max_jobs=self.options.max_jobs_per_container,
            idle_s=self.options.idle_s,
        )

    def _start_box(self, shape: BoxShape) -> BoxContainer:
        control = self._work_root / f"box-{os.getpid()}-{secrets.token_hex(6)}"
        control.mkdir(mode=0o700)
        if os.getuid() == 0:
            os.chown(control, self._uid, self._gid)
        return BoxContainer(self._client, self._config, shape, control)

    def _limits(self, job: SandboxJob) -> SandboxLimits:
        if self._default_limits and job.limits == SandboxLimits():
            return self._default_limits
        return job.limits

    def _python(self, job: SandboxJob) -> tuple[str, tuple[str, ...]]:
        """The interpreter path inside the box and the host directories it needs mounted."""
        if not job.python:
            return self._box_python, ()
        python = Path(job.python)
        mounts: list[str] = []
        venv = _venv_root(python)
        if venv is not None:
            mounts.append(str(venv))
        real = python.resolve()
        if not real.is_relative_to(python_prefix()):  # another interpreter: best effort, its own prefix
            mounts.append(str(real.parents[1]))
        return str(python), tuple(mounts)

    def _shape(self, job: SandboxJob, limits: SandboxLimits, extra: tuple[str, ...]) -> BoxShape:
        paths = {str(Path(path).resolve()) for path in (*job.readonly_paths, *extra)}
        if job.copy_tree:  # the copy links heavy directories (.venv, .git) back to the original
            paths.add(str(Path(job.copy_tree).resolve()))
        if "/" in paths:
            raise ValueError("refusing to mount the host's root directory into the sandbox")
        kept = sorted(path for path in paths if Path(path).exists())
        # A path inside another mounted path is visible already.
        kept = [p for p in kept if not any(p != q and Path(p).is_relative_to(q) for q in kept)]
        mounts = tuple((self._mount_source(path), path) for path in kept)
        return BoxShape(mounts, limits.memory_mb, limits.max_processes)

    def _mount_source(self, path: str) -> str:
        """The original, or (service running as root) a readable snapshot the box user can read."""
        if os.getuid() != 0 or Path(path).is_relative_to(python_prefix()):
            return path
        return str(readable_snapshot(Path(path), self._snapshots))

    def run(self, job: SandboxJob) -> SandboxResult:
        limits = self._limits(job)
        python, extra_mounts = self._python(job)
        shape = self._shape(job, limits, extra_mounts)
        for _ in range(_DELIVERY_ATTEMPTS):
            try:
                return self._run_on(self._pool.acquire(shape), job, limits, python)
            except NotDelivered:
                continue  # that container had died while idle; the job did not start
        raise SandboxUnavailableError("sandbox containers die before they can take a job")

    def _run_on(
        self, box: BoxContainer, job: SandboxJob, limits: SandboxLimits, python: str
    ) -> SandboxResult:
        job_dir = box.control_dir / f"job-{secrets.token_hex(8)}"
        reusable = False
        try:
            workdir = job_dir / "work"
            workdir.mkdir(parents=True)
            fill_workdir(job, workdir)
            (job_dir / "stdin").write_bytes(job.stdin)
            self._hand_over(job_dir)
            started = time.perf_counter()
            reply = box.request(
                self._request(job, limits, python, job_dir), limits.timeout_s + _REPLY_GRACE_S
            )
            wall = time.perf_counter() - started
            stderr = read_bounded(job_dir / "stderr", limits.max_output_bytes)
            if reply is None:  # the server died or hung: the container goes, the job failed with it
                timed_out = wall >= limits.timeout_s
                status = SandboxStatus.TIMEOUT if timed_out else SandboxStatus.KILLED
                returncode: int | None = None
            else:
                returncode = int(reply["returncode"])
                status = status_of(returncode, stderr, bool(reply["timed_out"]), bool(reply["oom"]))
                wall = float(reply["wall_s"])
                reusable = status not in _VIOLATIONS
            return SandboxResult(
                status=status,
                exit_code=None
                if returncode is None or returncode < 0 or status is SandboxStatus.TIMEOUT
                else returncode,
                stdout=read_bounded(job_dir / "stdout", limits.max_output_bytes),
                stderr=stderr,
                wall_s=wall,
                files=collect(workdir, job.collect),
            )
        finally:
            remove_tree(job_dir)
            self._pool.release(box, reusable)

    def _hand_over(self, job_dir: Path) -> None:
        """The box's user must own what it writes into (only needed when the service is root)."""
        if os.getuid() != 0:
            return
        for path in _walk(job_dir):
            os.lchown(path, self._uid, self._gid)

    def _request(self, job: SandboxJob, limits: SandboxLimits, python: str, job_dir: Path) -> dict[str, Any]:
        workdir = job_dir / "work"
        argv = [python if arg == "{python}" else arg for arg in job.argv]
        pythonpath = [str(workdir / entry) for entry in job.pythonpath] + [LIB_DIR]
        if self.options.deps_dir:
            pythonpath.append(DEPS_MOUNT)
        env = {
            "PATH": os.pathsep.join([str(Path(python).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": str(workdir),
            "TMPDIR": str(workdir),
            "LANG": "C.UTF-8",
            "PYTHONPATH": os.pathsep.join(pythonpath),
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "HYPOTHESIS_STORAGE_DIRECTORY": HYPOTHESIS_STORAGE,
            **job.env,
        }
        file_bytes = limits.max_file_mb * 1024 * 1024
        memory = limits.memory_mb * 1024 * 1024
        return {
            "argv": argv,
            "cwd": str(workdir / job.cwd),
            "env": env,
            "stdin": str(job_dir / "stdin"),
            "stdout": str(job_dir / "stdout"),
            "stderr": str(job_dir / "stderr"),
            "timeout_s": limits.timeout_s,
            "limits": {"cpu": limits.cpu_s, "as": memory, "fsize": file_bytes, "core": 0},
        }

    def close(self) -> None:
        self._pool.close()
        remove_tree(self._snapshots)


def _remove_dead_dirs(root: Path) -> None:
    """Snapshots and container directories of service processes that are gone."""
    for entry in [*root.glob("snapshots-*"), *root.glob("box-*")]:
        pid = entry.name.split("-")[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            remove_tree(entry)


def _walk(root: Path) -> Iterator[str]:
    yield str(root)
    for directory, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            yield os.path.join(directory, name)
