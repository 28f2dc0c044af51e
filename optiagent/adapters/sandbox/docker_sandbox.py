"""DockerSandbox: every job in a hardened container (see docker_box.container_options).

Each container runs the harness's job server (`optiagent_harness.box_server`) as PID 1; it connects
to a unix socket the service listens on in a per-container host directory, bind-mounted read-only
at the same path, where the service puts each job's stdin and files (`job-<random>/`). The server
copies them into the job's work dir on a size-limited tmpfs (the disk quota, `disk_mb`), forks a
fresh process per job, enforces the wall clock and the quota, kills whatever the job left behind,
and sends back exit status, OOM kills, stdout, stderr and the collected files. Nothing a job
writes reaches the host's disk. Jobs of the same shape (read-only mounts, memory, pids) reuse
warm containers; see docker_pool.py. Containers carry labels naming their owner process, and
containers of owners that are gone are removed when a DockerSandbox starts.

Host paths keep their paths in the box: a job's read-only paths, its absolute cwd, and a job's own
interpreter (a venv and its base installation, see
docker_python.py), whose first job in a container is preceded by a check that it starts at all,
so an interpreter the box cannot provide is an InterpreterUnavailableError, not a failed job.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    HARNESS_ONLY_DIR,
    HYPOTHESIS_STORAGE,
    LIB_DIR,
    SANDBOX_UID,
    box_python,
    image_exists,
    image_tag,
    python_prefix,
)
from optiagent.adapters.sandbox.docker_pool import BoxPool
from optiagent.adapters.sandbox.docker_python import Mount, interpreter_mounts, is_image_interpreter
from optiagent.adapters.sandbox.docker_snapshot import readable_snapshot
from optiagent.adapters.sandbox.harness_copy import published_harness
from optiagent.adapters.sandbox.harness_root import build_harness_root, harness_source_dir
from optiagent.adapters.sandbox.interpreter import describe, refuse_job_interpreter
from optiagent.adapters.sandbox.workdir import (
    bounded,
    job_cwd,
    job_pythonpath,
    readonly_mounts,
    status_of,
    write_files,
)
from optiagent.harness.box_server import WORK_DIR
from optiagent.ports.sandbox import (
    WORK_DIR_ENV,
    InterpreterUnavailableError,
    SandboxJob,
    SandboxLimits,
    SandboxResult,
    SandboxStatus,
    SandboxUnavailableError,
)

# The server enforces the deadline; the host waits this much longer (it also copies the job's
# files in and its outputs out, inside the box).
_REPLY_GRACE_S = 60.0
_DELIVERY_ATTEMPTS = 3
ABANDONED_S = 600.0
_VIOLATIONS = frozenset({SandboxStatus.TIMEOUT, SandboxStatus.OOM, SandboxStatus.KILLED})


@dataclass(frozen=True)
class DockerOptions:
    warm: bool = True
    pool_size: int = 4
    max_jobs_per_container: int = 200
    idle_s: float = 120.0
    cpus: float = 2.0
    tmpfs_mb: int = 64
    disk_mb: int = 1024  # a job's disk quota: its work dir, stdout and stderr (a tmpfs: counts as memory)
    deps_dir: str | None = None  # `pip install --target` output, mounted read-only on PYTHONPATH
    work_root: str | None = None  # where per-container directories live (default: /var/tmp)
    image: str | None = None  # another image (e.g. built from the Dockerfile); default: tools/sandbox-image's
    image_python: str | None = None  # its interpreter; default: the host's base interpreter path
    # False (the service): a job naming its own interpreter is refused before anything runs it.
    job_interpreters: bool = True


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
    """Removes sandbox containers (and their directories) whose owning process is gone, and exited
    ones whose directory nobody has used for a while, whoever owned them: a worker in a container
    that was recreated has a new host name, so no later owner would ever judge them its own."""
    removed = 0
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        labels = container.labels or {}
        directory = Path(labels[DIR_LABEL]) if labels.get(DIR_LABEL) else None
        if not _owner_gone(labels.get(OWNER_LABEL, "")) and not _abandoned(container, directory):
            continue
        try:
            container.remove(force=True)
        except Exception:  # removed concurrently
            continue
        removed += 1
        if directory is not None:
            remove_tree(directory)
    return removed


def _abandoned(container: Any, directory: Path | None) -> bool:
    """Exited, and no job was put in its directory for ABANDONED_S (an exited box takes none)."""
    if container.status not in ("exited", "dead"):
        return False
    try:
        return directory is None or time.time() - directory.stat().st_mtime > ABANDONED_S
    except OSError:
        return True  # its directory is gone already


@dataclass(frozen=True)
class BoxPython:
    """A job's interpreter in the box: its path, what it needs mounted, where the harness's
    dependencies and hypothesis's prebuilt tables are for it."""

    path: str
    mounts: tuple[Mount, ...] = ()
    deps: tuple[str, ...] = (LIB_DIR,)
    storage: str = HYPOTHESIS_STORAGE
    checked: list[str] = field(default_factory=list, compare=False)  # container ids it started in


_START_CHECK = ("-c", "import encodings, json, os, sys")
_CHECK_LIMITS = SandboxLimits(timeout_s=30.0)


def _world_readable(path: str) -> bool:
    for directory, _, files in os.walk(path):
        if os.stat(directory).st_mode & 0o005 != 0o005:
            return False
        for name in files:
            full = os.path.join(directory, name)
            if not os.path.islink(full) and os.stat(full).st_mode & 0o004 == 0:
                return False
    return os.stat(path).st_mode & 0o004 != 0


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
        # Not under /tmp: the box has its own /tmp, emptied between jobs. One directory per host
        # name: workers in containers share the work root, and judge only their own processes.
        host = re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname())
        root = Path(self.options.work_root or "/var/tmp") / f"optiagent-docker-{os.getuid()}-{host}"
        root.mkdir(mode=0o711, parents=True, exist_ok=True)
        self._work_root = root
        _remove_dead_dirs(root)
        self._snapshots = root / f"snapshots-{os.getpid()}-{secrets.token_hex(4)}"  # one per sandbox
        self._snapshots.mkdir(mode=0o711, exist_ok=True)
        self._pythons: dict[str, BoxPython] = {}
        self._readable: set[str] = set()
        self._project_readable: dict[str, bool] = {}
        self._config = BoxConfig(
            image=self.image,
            python=self._box_python,
            harness_dir=str(published_harness(harness_source_dir(), root)),
            deps_dir=self.options.deps_dir,
            cpus=min(self.options.cpus, float(os.cpu_count() or 1)),
            tmpfs_mb=self.options.tmpfs_mb,
            disk_mb=self.options.disk_mb,
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
        # The box's user may pass through (to its socket and job files), never write: as root, the
        # service owns it; otherwise the box runs as the service's user, and the mount is read-only.
        control.mkdir(mode=0o711 if os.getuid() == 0 else 0o700)
        return BoxContainer(self._client, self._config, shape, control)

    def _limits(self, job: SandboxJob) -> SandboxLimits:
        if self._default_limits and job.limits == SandboxLimits():
            return self._default_limits
        return job.limits

    def _python(self, job: SandboxJob) -> BoxPython:
        """The job's interpreter in the box (described and laid out once per interpreter)."""
        key = job.python or ""
        if key not in self._pythons:
            self._pythons[key] = self._lay_out(job.python)
        return self._pythons[key]

    def _lay_out(self, python: str | None) -> BoxPython:
        if not python:
            return BoxPython(self._box_python)
        interpreter = describe(python)
        mounts = list(interpreter_mounts(interpreter))
        root = build_harness_root(python)
        if not root.fetched and is_image_interpreter(interpreter):
            return BoxPython(interpreter.path, tuple(mounts))
        deps = (LIB_DIR,)  # the image's copy of our own packages, when they fit this interpreter
        if root.fetched:
            deps = (str(root.deps_dir),)
            mounts.append((os.path.realpath(root.deps_dir), str(root.deps_dir)))
        mounts.append((os.path.realpath(root.storage), str(root.storage)))
        return BoxPython(interpreter.path, tuple(mounts), deps, str(root.storage))

    def _shape(self, job: SandboxJob, limits: SandboxLimits, python: BoxPython) -> BoxShape:
        paths = list(job.readonly_paths)
        if job.copy_tree:  # the copy links heavy directories (.venv, .git) back to the original
            paths.append(job.copy_tree)
        project = [(self._mount_source(path), path) for path in readonly_mounts(paths)]
        # An interpreter's files inside a project path are visible already.
        inside = [p for _, p in project]
        system = [
            (self._system_source(source), path)
            for source, path in python.mounts
            if not any(Path(path).is_relative_to(q) for q in inside)
        ]
        return BoxShape(
            tuple(sorted(project + system, key=lambda m: m[1])), limits.memory_mb, limits.max_processes
        )

    def _mount_source(self, path: str) -> str:
        """The original, or (service running as root, and the box user cannot read the original) a
        readable snapshot. Readability is judged once per path: a project tree is walked once per
        run, not copied and fingerprinted for every job (a git work tree may hold a whole venv)."""
        if os.getuid() != 0 or Path(path).is_relative_to(python_prefix()):
            return path
        if path not in self._project_readable:
            self._project_readable[path] = _world_readable(path)
        if self._project_readable[path]:
            return path
        return str(readable_snapshot(Path(path), self._snapshots))

    def _system_source(self, source: str) -> str:
        """An interpreter's or the harness's files: the original when the box user can read it
        (checked once per sandbox: they do not change during a run), else a snapshot."""
        if os.getuid() == 0 and source not in self._readable:
            if not _world_readable(source):
                return str(readable_snapshot(Path(source), self._snapshots))
            self._readable.add(source)
        return source

    def run(self, job: SandboxJob) -> SandboxResult:
        if job.python and not self.options.job_interpreters:
            raise refuse_job_interpreter(job.python)
        limits = self._limits(job)
        python = self._python(job)
        shape = self._shape(job, limits, python)
        for _ in range(_DELIVERY_ATTEMPTS):
            box = self._pool.acquire(shape)
            try:
                if job.python and box.container_id not in python.checked:
                    self._check_start(box, python)
            except NotDelivered:
                self._pool.release(box, False)
                continue
            try:
                return self._run_on(box, job, limits, python)
            except NotDelivered:
                continue  # that container had died while idle; the job did not start
        raise SandboxUnavailableError("sandbox containers die before they can take a job")

    def _check_start(self, box: BoxContainer, python: BoxPython) -> None:
        """Runs the interpreter once in this container (still held afterwards); one that cannot
        start releases the container and is a clear error."""
        probe = SandboxJob(argv=(python.path, *_START_CHECK), limits=_CHECK_LIMITS)
        result = self._run_on(box, probe, _CHECK_LIMITS, python, release=False)
        if result.status is not SandboxStatus.OK:
            self._pool.release(box, False)
            detail = result.stderr.decode("utf-8", "replace").strip()[-600:] or result.status.value
            raise InterpreterUnavailableError(
                f"the Docker sandbox cannot run {python.path}: {detail}. Use the local sandbox "
                "(--sandbox local), or a venv made from a python outside /usr (pyenv, `uv python`)"
            )
        python.checked.append(box.container_id)

    def _run_on(
        self,
        box: BoxContainer,
        job: SandboxJob,
        limits: SandboxLimits,
        python: BoxPython,
        release: bool = True,
    ) -> SandboxResult:
        job_dir = box.control_dir / f"job-{secrets.token_hex(8)}"
        reusable = False
        try:
            job_dir.mkdir()
            write_files(job.files, job_dir / "in")
            (job_dir / "stdin").write_bytes(job.stdin)
            _make_readable(job_dir)
            cwd = job_cwd(job, Path(WORK_DIR))
            started = time.perf_counter()
            reply = box.request(
                self._request(job, limits, python, job_dir, cwd), limits.timeout_s + _REPLY_GRACE_S
            )
            wall = time.perf_counter() - started
            if reply is None:  # the server died or hung: the container goes, the job failed with it
                timed_out = wall >= limits.timeout_s
                status = SandboxStatus.TIMEOUT if timed_out else SandboxStatus.KILLED
                note = b"sandbox: the container's job server stopped answering; the container was replaced\n"
                return SandboxResult(status, None, b"", note, wall)
            result = _result(reply, limits, self.options.disk_mb)
            reusable = result.status not in _VIOLATIONS
            return result
        finally:
            remove_tree(job_dir)
            if release:
                self._pool.release(box, reusable)

    def _request(
        self, job: SandboxJob, limits: SandboxLimits, python: BoxPython, job_dir: Path, cwd: str
    ) -> dict[str, Any]:
        workdir = Path(WORK_DIR)
        argv = [python.path if arg == "{python}" else arg for arg in job.argv]
        pythonpath = [*job_pythonpath(job, workdir), HARNESS_ONLY_DIR]
        if job.harness_deps:
            pythonpath += python.deps
        if self.options.deps_dir:
            pythonpath.append(DEPS_MOUNT)
        env = {
            "PATH": os.pathsep.join([str(Path(python.path).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": WORK_DIR,
            "TMPDIR": WORK_DIR,
            WORK_DIR_ENV: WORK_DIR,
            "LANG": "C.UTF-8",
            "PYTHONPATH": os.pathsep.join(pythonpath),
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "HYPOTHESIS_STORAGE_DIRECTORY": python.storage,
            **job.env,
        }
        file_bytes = limits.max_file_mb * 1024 * 1024
        memory = limits.memory_mb * 1024 * 1024
        return {
            "argv": argv,
            "cwd": cwd,
            "env": env,
            "stdin": str(job_dir / "stdin"),
            "inputs": str(job_dir / "in"),
            "copy_tree": job.copy_tree,
            "collect": list(job.collect),
            "max_output_bytes": limits.max_output_bytes,
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


def _result(reply: dict[str, Any], limits: SandboxLimits, disk_mb: int) -> SandboxResult:
    """The server's reply as a result: its exit, its bounded streams, its files, and a note on
    stderr when the job could not start or was stopped for using up its disk quota."""
    outputs: dict[tuple[str, str], bytes] = reply.get("outputs", {})
    stdout = bounded(outputs.get(("stream", "stdout"), b""), limits.max_output_bytes)
    stderr = bounded(outputs.get(("stream", "stderr"), b""), limits.max_output_bytes)
    files = {name: data for (kind, name), data in outputs.items() if kind == "file"}
    wall = float(reply.get("wall_s", 0.0))
    if reply.get("setup_error"):
        message = f"sandbox: {reply['setup_error']} ({disk_mb} MiB)\n".encode()
        return SandboxResult(SandboxStatus.ERROR, None, b"", message, wall)
    returncode = int(reply["returncode"])
    status = status_of(returncode, stderr, bool(reply["timed_out"]), bool(reply["oom"]))
    if reply.get("disk_full"):
        stderr += f"\nsandbox: the job used up its disk quota ({disk_mb} MiB) and was stopped\n".encode()
        status = SandboxStatus.KILLED
    stopped = returncode < 0 or status is SandboxStatus.TIMEOUT or bool(reply.get("disk_full"))
    exit_code = None if stopped else returncode
    return SandboxResult(
        status=status, exit_code=exit_code, stdout=stdout, stderr=stderr, wall_s=wall, files=files
    )


def _make_readable(root: Path) -> None:
    """The box's user reads what the service wrote (a root service's umask may be strict)."""
    for path in _walk(root):
        if not os.path.islink(path):
            os.chmod(path, 0o755 if os.path.isdir(path) else 0o644)


def _walk(root: Path) -> Iterator[str]:
    yield str(root)
    for directory, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            yield os.path.join(directory, name)
