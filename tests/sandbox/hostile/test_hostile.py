"""Hostile programs against both backends. Docker must contain every one; LocalSandbox contains
what its docstring claims, and the cases it does not claim are expected failures with the reason."""

from __future__ import annotations

import os
import secrets
import socket
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from optiagent.ports.sandbox import Sandbox, SandboxJob, SandboxLimits, SandboxResult, SandboxStatus

ROOT = os.getuid() == 0


def backends(local_gap: str | None = None, local_unsafe: str | None = None) -> pytest.MarkDecorator:
    """Parametrize `box`: Docker always; local as an expected failure (`local_gap`: what it does
    not contain) or skipped (`local_unsafe`: trying it would harm the machine running the tests)."""
    local: Any = "local"
    if local_unsafe:
        local = pytest.param("local", marks=pytest.mark.skip(reason=local_unsafe))
    elif local_gap:
        local = pytest.param("local", marks=pytest.mark.xfail(reason=local_gap, strict=False))
    return pytest.mark.parametrize("box", [local, "docker"], indirect=True)


def run_py(box: Sandbox, code: str, **limits: Any) -> SandboxResult:
    settings = {"timeout_s": 20.0, "memory_mb": 512, **limits}
    job = SandboxJob(
        argv=("{python}", "job.py"),
        files={"job.py": textwrap.dedent(code).encode()},
        limits=SandboxLimits(**settings),
    )
    return box.run(job)


def assert_healthy(box: Sandbox) -> None:
    """The backend still runs an ordinary job correctly after the hostile one."""
    result = run_py(box, "print(6 * 7)")
    assert (result.status, result.stdout) == (SandboxStatus.OK, b"42\n"), result


# -- network ---------------------------------------------------------------------------------------


@pytest.fixture
def tcp_listener() -> Any:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    accepted: list[object] = []

    def accept() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not getattr(server, "_closed", False):
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    server.close()


@backends()
def test_tcp_connect_to_loopback_and_outside_fails(box: Sandbox, tcp_listener: Any) -> None:
    port, accepted = tcp_listener
    result = run_py(
        box,
        f"""
        import socket
        for host, port in (("127.0.0.1", {port}), ("1.1.1.1", 53), ("172.17.0.1", 2375)):
            try:
                socket.create_connection((host, port), timeout=2).close()
                print("CONNECTED", host)
            except OSError as error:
                print("blocked", host, type(error).__name__)
        """,
    )
    assert result.status is SandboxStatus.OK, result
    assert b"CONNECTED" not in result.stdout and result.stdout.count(b"blocked") == 3
    assert accepted == []


@backends()
def test_udp_to_loopback_and_outside_is_not_delivered(box: Sandbox) -> None:
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(1.0)
    port = receiver.getsockname()[1]
    result = run_py(
        box,
        f"""
        import socket
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for target in (("127.0.0.1", {port}), ("8.8.8.8", 53)):
            try:
                sender.sendto(b"leak", target)
                print("sent", target[0])
            except OSError as error:
                print("blocked", target[0], type(error).__name__)
        """,
    )
    assert result.status is SandboxStatus.OK, result
    with pytest.raises(TimeoutError):
        receiver.recvfrom(100)  # a datagram sent to the loopback of a private namespace goes nowhere
    assert b"blocked 8.8.8.8" in result.stdout
    receiver.close()


@backends()
def test_dns_lookup_fails(box: Sandbox) -> None:
    result = run_py(
        box,
        """
        import socket
        try:
            print("RESOLVED", socket.getaddrinfo("example.com", 80))
        except OSError as error:
            print("blocked", type(error).__name__)
        """,
    )
    assert result.status is SandboxStatus.OK, result
    assert b"RESOLVED" not in result.stdout and b"blocked" in result.stdout


@backends(local_gap="runs as the invoking user: can connect to the Docker socket when that user can")
def test_docker_socket_is_unreachable(box: Sandbox) -> None:
    result = run_py(
        box,
        """
        import socket
        for path in ("/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock"):
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                client.connect(path)
                client.sendall(b"GET /version HTTP/1.0\\r\\n\\r\\n")
                print("REACHED", path, client.recv(200))
            except OSError as error:
                print("blocked", path, type(error).__name__)
        """,
    )
    assert result.status is SandboxStatus.OK, result
    assert b"REACHED" not in result.stdout


# -- filesystem and secrets ------------------------------------------------------------------------


@backends(local_gap="runs as the invoking user: writes wherever that user can write")
def test_writes_outside_the_work_dir_fail_or_stay_private(box: Sandbox, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    token = secrets.token_hex(8)
    host_tmp = Path("/tmp") / f"optiagent-hostile-{token}"
    code = f"""
        import os, sys
        targets = [
            "/etc/optiagent-{token}",
            "{project}/written-{token}",
            os.path.join(os.path.dirname(sys.executable), "written-{token}"),
            "/opt/optiagent-{token}",
            "/tmp/optiagent-hostile-{token}",
        ]
        for path in targets:
            try:
                with open(path, "w") as handle:
                    handle.write("x")
                print("WROTE", path)
            except OSError as error:
                print("refused", path, type(error).__name__)
        """
    job = SandboxJob(
        argv=("{python}", "job.py"),
        files={"job.py": textwrap.dedent(code).encode()},
        readonly_paths=(str(project),),
    )
    result = box.run(job)
    assert result.status is SandboxStatus.OK, result
    assert not list(project.iterdir()), "the read-only project was written"
    assert not Path(f"/etc/optiagent-{token}").exists()
    assert not host_tmp.exists(), "the job's /tmp is the host's /tmp"
    # Only /tmp (private to the box, emptied after the job) may accept the write.
    wrote = [line for line in result.stdout.splitlines() if line.startswith(b"WROTE")]
    assert all(line.startswith(b"WROTE /tmp/") for line in wrote), wrote


@backends()
def test_service_environment_variables_are_not_visible(box: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = secrets.token_hex(12)
    monkeypatch.setenv("OPTIAGENT_TEST_SECRET", secret)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    result = run_py(
        box,
        """
        import os
        print(sorted(os.environ.items()))
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    print(open(f"/proc/{pid}/environ", "rb").read())
                except OSError:
                    pass
        """,
    )
    assert result.status is SandboxStatus.OK, result
    assert secret.encode() not in result.stdout


@backends(local_gap="runs as the invoking user: reads that user's home directory")
def test_files_under_the_service_home_are_not_readable(box: Sandbox) -> None:
    home = Path.home()
    secret = secrets.token_hex(12)
    planted = home / f".optiagent-test-secret-{secret[:6]}"
    planted.write_text(secret)
    try:
        result = run_py(
            box,
            f"""
            import os
            for path in ({str(planted)!r}, os.path.expanduser("~/.ssh/id_rsa"), "/etc/shadow"):
                try:
                    print("READ", path, open(path).read())
                except OSError as error:
                    print("refused", path, type(error).__name__)
            """,
        )
    finally:
        planted.unlink()
    assert result.status is SandboxStatus.OK, result
    assert secret.encode() not in result.stdout
    assert b"READ /etc/shadow" not in result.stdout


# -- resources -------------------------------------------------------------------------------------


@backends(
    local_unsafe="LocalSandbox bounds processes with RLIMIT_NPROC, which is per user and ignored for "
    "root: a fork bomb would hit the whole machine running the tests"
)
def test_fork_bomb_is_bounded(box: Sandbox) -> None:
    result = run_py(
        box,
        """
        import os, time
        children = 0
        try:
            for _ in range(5000):
                pid = os.fork()
                if pid == 0:
                    time.sleep(60)
                    os._exit(0)
                children += 1
        except OSError as error:
            print("LIMITED", children, type(error).__name__)
        """,
        timeout_s=30.0,
        max_processes=32,
    )
    assert result.status is SandboxStatus.OK, result
    assert result.stdout.startswith(b"LIMITED")
    assert int(result.stdout.split()[1]) <= 32
    assert_healthy(box)


@backends()
def test_memory_bomb_is_reported_as_oom(box: Sandbox) -> None:
    result = run_py(
        box,
        """
        blocks = []
        while True:
            blocks.append(b"x" * (16 << 20))
        """,
        memory_mb=256,
    )
    assert result.status is SandboxStatus.OOM, result
    assert_healthy(box)


@backends(local_gap="limits address space per process (RLIMIT_AS), not the job's total memory")
def test_memory_spread_over_processes_is_reported_as_oom(box: Sandbox) -> None:
    result = run_py(
        box,
        """
        import os, time
        pids = []
        for _ in range(6):
            pid = os.fork()
            if pid == 0:
                block = b"x" * (120 << 20)
                time.sleep(5)
                os._exit(0)
            pids.append(pid)
        statuses = [os.waitpid(pid, 0)[1] for pid in pids]
        print(statuses)
        """,
        memory_mb=256,
    )
    assert result.status is SandboxStatus.OOM, result


@backends()
def test_cpu_spin_is_stopped_as_timeout(box: Sandbox) -> None:
    started = time.monotonic()
    result = run_py(box, "while True:\n    pass\n", timeout_s=3.0, cpu_s=2)
    assert result.status is SandboxStatus.TIMEOUT, result
    assert time.monotonic() - started < 30


@backends()
def test_sleep_past_the_timeout_is_killed(box: Sandbox) -> None:
    started = time.monotonic()
    result = run_py(box, "import time\nprint('start', flush=True)\ntime.sleep(60)\n", timeout_s=1.5)
    assert result.status is SandboxStatus.TIMEOUT and result.exit_code is None, result
    assert result.stdout == b"start\n"
    assert time.monotonic() - started < 30
    assert_healthy(box)


@backends()
def test_infinite_output_is_bounded(box: Sandbox) -> None:
    result = run_py(
        box,
        "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n",
        timeout_s=5.0,
        max_file_mb=8,
        max_output_bytes=100_000,
    )
    assert _stopped_at_file_limit(result) or result.status is SandboxStatus.TIMEOUT, result
    assert len(result.stdout) <= 100_000 + 100
    assert result.stdout.endswith(b"[... output truncated]")


@backends()
def test_huge_file_is_stopped_at_the_file_size_limit(box: Sandbox) -> None:
    result = run_py(
        box,
        """
        with open("huge.bin", "wb") as handle:
            for _ in range(1024):
                handle.write(b"x" * (1 << 20))
        print("WROTE 1 GiB")
        """,
        max_file_mb=16,
    )
    assert _stopped_at_file_limit(result), result
    assert b"WROTE" not in result.stdout


def _stopped_at_file_limit(result: SandboxResult) -> bool:
    """Python ignores SIGXFSZ, so its writes past RLIMIT_FSIZE fail with EFBIG (an error exit);
    other programs die of SIGXFSZ."""
    if result.status is SandboxStatus.ERROR:
        return b"File too large" in result.stderr
    return result.status is SandboxStatus.KILLED


@backends(local_gap="as root the job keeps CAP_SYS_RESOURCE and may raise its hard limits")
def test_raising_limits_with_setrlimit_fails(box: Sandbox) -> None:
    result = run_py(
        box,
        """
        import resource
        for name in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NPROC"):
            kind = getattr(resource, name)
            try:
                resource.setrlimit(kind, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
                print("RAISED", name)
            except (ValueError, OSError) as error:
                print("refused", name, type(error).__name__)
        """,
    )
    assert result.status is SandboxStatus.OK, result
    assert b"RAISED RLIMIT_AS" not in result.stdout and b"RAISED RLIMIT_CPU" not in result.stdout
    assert b"RAISED RLIMIT_FSIZE" not in result.stdout


# -- processes and the kernel ----------------------------------------------------------------------


@backends()
def test_killing_the_parent_does_not_break_the_sandbox(box: Sandbox) -> None:
    result = run_py(
        box,
        """
        import os, signal
        for target in (os.getppid(), 1):
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.kill(target, sig)
                except OSError as error:
                    print("refused", target, type(error).__name__)
        print("still here")
        """,
    )
    assert result.status in (SandboxStatus.OK, SandboxStatus.KILLED), result
    assert_healthy(box)
    assert_healthy(box)


@backends(local_gap="as root the job keeps CAP_SYS_PTRACE")
def test_ptrace_of_other_processes_fails(box: Sandbox) -> None:
    result = run_py(
        box,
        """
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        PTRACE_ATTACH = 16
        for pid in {1, os.getppid()}:
            if libc.ptrace(PTRACE_ATTACH, pid, None, None) == 0:
                print("ATTACHED", pid)
            else:
                print("refused", pid, os.strerror(ctypes.get_errno()))
        """,
    )
    assert result.status is SandboxStatus.OK, result
    assert b"ATTACHED" not in result.stdout


@backends(local_gap="as root the job keeps CAP_SYS_MODULE")
def test_loading_a_kernel_module_fails_with_eperm(box: Sandbox) -> None:
    result = run_py(
        box,
        """
        import ctypes, errno, os
        libc = ctypes.CDLL(None, use_errno=True)
        SYS_finit_module = 313  # x86-64
        fd = os.open("job.py", os.O_RDONLY)
        code = libc.syscall(SYS_finit_module, fd, b"", 0)
        print("result", code, errno.errorcode.get(ctypes.get_errno()))
        """,
    )
    assert result.status is SandboxStatus.OK, result
    assert result.stdout.strip() == b"result -1 EPERM"


@backends()
def test_background_processes_do_not_outlive_the_job(box: Sandbox) -> None:
    token = secrets.token_hex(8)
    result = run_py(
        box,
        f"""
        import subprocess, sys
        subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(600)  # {token}"],
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        print("left one behind")
        """,
    )
    assert result.status is SandboxStatus.OK, result
    deadline = time.monotonic() + 10
    while _processes_mentioning(token) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_mentioning(token) == []


def _processes_mentioning(token: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if token.encode() in cmdline:
                found.append(int(entry.name))
    return found


# -- one job against another -----------------------------------------------------------------------

_PLANT = """
import os, time
secret = {secret!r}
for path in ("mine.txt", "/tmp/planted.txt", "/dev/shm/planted.txt"):
    try:
        with open(path, "w") as handle:
            handle.write(secret)
    except OSError:
        pass
print("planted", flush=True)
time.sleep({hold})
"""

_SEARCH = """
import os
secret = {secret!r}
stdin = os.readlink("/proc/self/fd/0")  # in Docker: a file in the service's directory for this box
around = [os.path.dirname(os.getcwd()), os.path.dirname(os.path.dirname(os.getcwd()))]
if stdin.startswith("/"):
    around += [os.path.dirname(os.path.dirname(stdin))]
roots = ["/tmp", "/dev/shm", "/var/tmp", "/box", *(path for path in around if path != "/")]
for root in roots:
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            if path.startswith(os.getcwd() + os.sep):  # this job's own files hold the secret too
                continue
            try:
                with open(path, "rb") as handle:
                    if secret.encode() in handle.read(1 << 20):
                        print("FOUND", path)
            except OSError:
                pass
print("searched")
"""


@backends(local_gap="jobs share the user's /tmp and can read each other's work directories")
def test_a_job_cannot_read_files_of_a_previous_or_concurrent_job(box: Sandbox) -> None:
    secret = secrets.token_hex(16)
    planted = run_py(box, _PLANT.format(secret=secret, hold=0))
    assert planted.status is SandboxStatus.OK, planted
    after = run_py(box, _SEARCH.format(secret=secret))
    assert after.status is SandboxStatus.OK and b"searched" in after.stdout, after
    assert b"FOUND" not in after.stdout

    concurrent: list[SandboxResult] = []
    holder = threading.Thread(
        target=lambda: concurrent.append(run_py(box, _PLANT.format(secret=secret, hold=4)))
    )
    holder.start()
    time.sleep(1.5)
    during = run_py(box, _SEARCH.format(secret=secret))
    holder.join()
    assert concurrent and concurrent[0].status is SandboxStatus.OK
    assert b"FOUND" not in during.stdout, during.stdout
