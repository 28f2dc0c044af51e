"""Job server inside a sandbox container: one fresh forked process per job. Standard library only.

`python -m optiagent_harness.box_server CONTROL_DIR` runs as the container's PID 1 and connects to
CONTROL_DIR/ctl.sock, where the service listens for exactly this one connection (it closes the
listener once it has accepted it, so no job can connect). Each request is a length-prefixed JSON
job; the reply says how it ended, followed by the job's output files.

Nothing a job can write is on the host's disk: CONTROL_DIR is mounted read-only (the service puts
each job's stdin and files there), and the job's work dir, stdout and stderr live in `BOX_DIR`, a
tmpfs whose size is the job's disk quota. A job that fills it is stopped and reported (`disk_full`).

Per job: the work dir is filled (the project copy, then the job's files), then fork, and in the
child a new session, hard rlimits, the job's environment, stdin/stdout/stderr, exec. The server
waits with the wall-clock deadline, and afterwards (as PID 1) SIGKILLs every process left in the
container and reaps them, sends the outputs back, then empties the container's writable places
(BOX_DIR, /tmp, /dev/shm, /dev/mqueue), so nothing of one job survives into the next. The server is
non-dumpable: a job (same uid) cannot ptrace it, and as PID 1 it does not receive signals it has no
handler for, so a job cannot kill it either.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import resource
import select
import shutil
import signal
import socket
import stat
import struct
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .box_files import collected_files, copy_project, read_regular

SOCKET_NAME = "ctl.sock"
BOX_DIR = "/box"  # a tmpfs of the quota's size: everything a job writes that outlives a process
WORK_DIR = f"{BOX_DIR}/work"  # the job's work dir, cwd, HOME and TMPDIR
_IO_DIR = f"{BOX_DIR}/io"
_HEADER = struct.Struct("!I")
_MAX_REQUEST = 64 * 1024 * 1024
_SCRATCH_DIRS = (BOX_DIR, "/tmp", "/dev/shm", "/dev/mqueue")  # the container's own tmpfs
_SPACE_CHECK_S = 0.05  # how often a running job's use of BOX_DIR is looked at
_PR_SET_DUMPABLE = 4
_RESTORED_SIGNALS = ("SIGPIPE", "SIGXFSZ", "SIGINT")  # Python ignores or handles these; jobs get defaults


def read_message(conn: socket.socket) -> Any:
    header = recv_exact(conn, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > _MAX_REQUEST:
        raise ValueError(f"message of {size} bytes is too large")
    body = recv_exact(conn, size)
    return None if body is None else json.loads(body)


def write_message(conn: socket.socket, message: Any) -> None:
    body = json.dumps(message).encode()
    conn.sendall(_HEADER.pack(len(body)) + body)


def recv_exact(conn: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = conn.recv(size - len(chunks))
        if not chunk:
            return None
        chunks.extend(chunk)
    return bytes(chunks)


def _oom_kills() -> int:
    """OOM kills recorded for this container's memory cgroup (v1 or v2); -1 when unreadable."""
    for path, key in (
        ("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill"),
        ("/sys/fs/cgroup/memory.events", "oom_kill"),
    ):
        try:
            for line in Path(path).read_text().splitlines():
                name, _, value = line.partition(" ")
                if name == key:
                    return int(value)
        except OSError:
            continue
    return -1


def _apply_limits(limits: dict[str, int]) -> None:
    for name, value in limits.items():
        kind = getattr(resource, f"RLIMIT_{name.upper()}")
        soft = value
        hard = value + 1 if name == "cpu" else value  # SIGXCPU at the soft limit, SIGKILL a second later
        resource.setrlimit(kind, (soft, hard))


def _exec_child(job: dict[str, Any]) -> None:
    """Runs in the forked child; never returns."""
    try:
        os.setsid()
        for name in _RESTORED_SIGNALS:
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        stdin = os.open(job["stdin"], os.O_RDONLY)
        stdout = os.open(f"{_IO_DIR}/stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        stderr = os.open(f"{_IO_DIR}/stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
            os.dup2(fd, target)
        os.closerange(3, 65536)
        os.chdir(job["cwd"])
        _apply_limits(job["limits"])
        os.execvpe(job["argv"][0], job["argv"], job["env"])  # searches the job's PATH
    except BaseException as error:
        try:
            os.write(2, f"sandbox: cannot start {job.get('argv')!r}: {error}\n".encode())
        finally:
            os._exit(127)


def _space_left() -> bool:
    """False once the job's quota (the BOX_DIR tmpfs) is full; True where there is no such mount."""
    try:
        return os.statvfs(BOX_DIR).f_bavail > 0
    except OSError:
        return True


def _wait(pid: int, timeout_s: float) -> tuple[int | None, bool, bool]:
    """(wait status, timed out, out of space). Waits on a pidfd so the deadline is exact; looks at
    the quota a few times a second, and stops the job once it has used all of it."""
    deadline = time.monotonic() + max(timeout_s, 0.0)
    pidfd = os.pidfd_open(pid)
    try:
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([pidfd], [], [], max(min(left, _SPACE_CHECK_S), 0.0))
            if ready:
                break
            if not _space_left():
                return None, False, True
            if left <= _SPACE_CHECK_S:
                return None, True, False
    finally:
        os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    return status, False, not _space_left()


def _kill_everything(pid: int) -> None:
    """Kills the job and whatever it left behind, then reaps them all."""
    try:
        if os.getpid() == 1:  # PID 1 of the container: every other process belongs to jobs
            os.kill(-1, signal.SIGKILL)
        else:
            os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    while True:
        try:
            reaped, _ = os.waitpid(-1, 0)
        except ChildProcessError:
            return
        if reaped == 0:
            return


def _remove_entry(path: str, device: int) -> None:
    """Removes what a job left at `path`, never crossing into a mount (the service's directories
    and read-only project mounts may sit under /tmp)."""
    try:
        info = os.lstat(path)
    except OSError:
        return
    if info.st_dev != device:
        return
    if stat.S_ISDIR(info.st_mode):
        try:
            os.chmod(path, stat.S_IRWXU)  # a job may have made its directory unreadable
            names = os.listdir(path)
        except OSError:
            return
        for name in names:
            _remove_entry(os.path.join(path, name), device)
        try:
            os.rmdir(path)
        except OSError:
            pass  # a mount point, or a directory holding one
    else:
        try:
            os.unlink(path)
        except OSError:
            pass


def _empty_scratch() -> None:
    for directory in _SCRATCH_DIRS:
        try:
            device = os.lstat(directory).st_dev
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            _remove_entry(os.path.join(directory, name), device)


def _fill_workdir(job: dict[str, Any]) -> str | None:
    """The project copy, then the job's files on top; None, or why the job cannot start."""
    try:
        os.makedirs(WORK_DIR, mode=0o700)
        os.makedirs(_IO_DIR, mode=0o700)
        if job.get("copy_tree"):
            copy_project(Path(job["copy_tree"]), Path(WORK_DIR))
        if job.get("inputs"):
            shutil.copytree(job["inputs"], WORK_DIR, symlinks=True, dirs_exist_ok=True)
    except (OSError, shutil.Error) as error:
        full = isinstance(error, OSError) and error.errno == errno.ENOSPC
        if full or not _space_left():
            return "the job's files do not fit in its work space (the sandbox's disk quota)"
        return f"cannot prepare the job's work dir: {error}"
    return None


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    problem = _fill_workdir(job)
    if problem is not None:
        return {"returncode": None, "setup_error": problem, "timed_out": False, "oom": False, "wall_s": 0.0}
    oom_before = _oom_kills()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        _exec_child(job)
    status, timed_out, disk_full = _wait(pid, float(job["timeout_s"]))
    wall = time.perf_counter() - started
    _kill_everything(pid)
    if status is None:
        returncode = -signal.SIGKILL
    elif os.WIFSIGNALED(status):
        returncode = -os.WTERMSIG(status)
    else:
        returncode = os.WEXITSTATUS(status)
    oom_after = _oom_kills()
    return {
        "returncode": returncode,
        "timed_out": timed_out,
        "oom": oom_before >= 0 and oom_after > oom_before,
        "disk_full": disk_full,
        "wall_s": wall,
    }


def job_outputs(job: dict[str, Any]) -> Iterator[tuple[str, str, bytes]]:
    """(kind, name, content) of what the job left: stdout and stderr (bounded), collected files."""
    bound = int(job.get("max_output_bytes", 1_000_000)) + 1  # one more: the host marks truncation
    for name in ("stdout", "stderr"):
        yield "stream", name, read_regular(Path(_IO_DIR) / name, bound) or b""
    for name, data in collected_files(Path(WORK_DIR), list(job.get("collect", ()))):
        yield "file", name, data


def send_outputs(conn: socket.socket, job: dict[str, Any]) -> None:
    """Each output as a header message and its raw bytes, then an end marker."""
    for kind, name, data in job_outputs(job):
        write_message(conn, {"kind": kind, "name": name, "size": len(data)})
        conn.sendall(data)
    write_message(conn, {"end": True})


def _non_dumpable() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def serve(control_dir: str) -> int:
    _non_dumpable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(os.path.join(control_dir, SOCKET_NAME))  # the service listens for this one only
    with conn:
        while True:
            request = read_message(conn)
            if request is None:
                return 0
            if request.get("op") == "ping":
                write_message(conn, {"ok": True})
                continue
            write_message(conn, {"accepted": True})  # lets the service tell "never started" apart
            try:
                write_message(conn, run_job(request))
                send_outputs(conn, request)
            finally:
                _empty_scratch()


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1]))
