"""A Docker job cannot fill the host's disk: everything it may write is a size-limited tmpfs, and a
job that uses up its quota is stopped and reported. (The local sandbox has no quota: trying would
fill the disk of the machine running the tests.)"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest

from optiagent.adapters.sandbox.docker_sandbox import DockerOptions, DockerSandbox
from optiagent.harness.box_server import WORK_DIR
from optiagent.ports.sandbox import SandboxJob, SandboxLimits, SandboxStatus
from tests.sandbox.conftest import docker_sandbox

QUOTA_MB = 96

_FILL = """
import os, time
total = 0
chunk = b"x" * (8 << 20)
stdin = os.readlink("/proc/self/fd/0")  # a file in the service's directory for this box
for target in (os.path.dirname(stdin), os.getcwd()):
    try:
        with open(os.path.join(target, "outside.bin"), "wb") as handle:
            handle.write(chunk)
        print("WROTE", target, flush=True)
    except OSError as error:
        print("refused", target, type(error).__name__, flush=True)
for index in range(1280):  # 10 GiB in files under the per-file limit, errors ignored (25 s of them)
    try:
        with open(f"part-{index}.bin", "wb") as handle:
            handle.write(chunk)
        total += len(chunk)
        print("total", total, flush=True)
    except OSError:
        time.sleep(0.02)  # a failed write is instant: without a pause it would finish before any check
print("finished", flush=True)
"""


@pytest.fixture(scope="module")
def small_quota() -> Iterator[DockerSandbox]:
    box = docker_sandbox(DockerOptions(pool_size=1, disk_mb=QUOTA_MB))
    yield box
    box.close()


def _run(box: DockerSandbox, code: str, **files: bytes) -> tuple[SandboxStatus, bytes, bytes]:
    job = SandboxJob(
        argv=("{python}", "job.py"),
        files={"job.py": textwrap.dedent(code).encode(), **files},
        limits=SandboxLimits(timeout_s=60.0, memory_mb=512),
    )
    result = box.run(job)
    return result.status, result.stdout, result.stderr


def test_a_job_writing_10_gb_is_stopped_at_its_quota(small_quota: DockerSandbox) -> None:
    """It keeps writing after errors, so only the sandbox can stop it: killed (not timed out) once
    its quota is full, with a reason, having written no more than the quota; the service's own
    directory for the box was never writable; the next job has its whole quota again."""
    status, stdout, stderr = _run(small_quota, _FILL)
    assert status is SandboxStatus.KILLED, (status, stdout[-300:], stderr[-300:])
    assert b"disk quota" in stderr
    assert b"finished" not in stdout
    totals = [int(line.split()[1]) for line in stdout.splitlines() if line.startswith(b"total ")]
    assert totals and max(totals) <= QUOTA_MB << 20
    wrote = [line for line in stdout.splitlines() if line.startswith(b"WROTE")]
    assert wrote == [f"WROTE {WORK_DIR}".encode()]  # its work dir, never the service's directory

    status, stdout, _ = _run(small_quota, _FILL.replace("range(1280)", "range(4)"))
    assert status is SandboxStatus.OK and b"finished" in stdout


def test_files_over_the_quota_are_refused_before_the_job_starts(small_quota: DockerSandbox) -> None:
    """The job's own files count too: too many of them is a clear error, and nothing runs."""
    status, stdout, stderr = _run(small_quota, "print('ran')", big=b"x" * ((QUOTA_MB + 8) << 20))
    assert status is SandboxStatus.ERROR and stdout == b""
    assert b"do not fit" in stderr


_WRITABLE = """
import os, secrets
name = "probe-" + secrets.token_hex(6)
for line in open("/proc/self/mountinfo"):
    fields = line.split()
    point, kind = fields[4], fields[fields.index("-") + 1]
    if point.startswith(("/proc", "/sys")) or (point.startswith("/dev") and kind != "tmpfs"):
        continue
    try:
        with open(os.path.join(point, name), "w") as handle:
            handle.write("x")
    except OSError:
        continue
    os.unlink(os.path.join(point, name))
    print("WRITABLE", point, kind)
"""


def test_every_place_a_job_can_write_is_a_tmpfs(docker_box: DockerSandbox) -> None:
    """Of all mounts a job sees, the ones it can create files in are tmpfs of bounded size (its
    work space, /tmp, /dev/shm, /dev/mqueue): no bind mount of a host directory is writable."""
    job = SandboxJob(argv=("{python}", "job.py"), files={"job.py": _WRITABLE.encode()})
    result = docker_box.run(job)
    assert result.status is SandboxStatus.OK, result
    writable = [line.split() for line in result.stdout.decode().splitlines()]
    assert writable, "the job could not write even its own work dir"
    assert all(kind in ("tmpfs", "mqueue") for _, _, kind in writable), writable
    assert "/box" in {point for _, point, _ in writable}
