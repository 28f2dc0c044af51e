"""Real service processes for the tests and benchmarks: API (uvicorn), Celery workers, helpers.

Everything binds 127.0.0.1; every process is started in its own session so a test can SIGKILL a
whole worker (or only its pool child) and the fixtures can always clean up.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
TERMINAL = {"succeeded", "failed", "cancelled"}
# Fast, stable targets of examples/primes: one clear win, one without candidates, one rejected.
PRIMES_FUNCTIONS = ("primes_below", "prime_factors", "is_prime")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def service_env(database_url: str, redis_url: str, workspace: Path, **extra: str) -> dict[str, str]:
    """Settings of a test service: short leases and sweeps so recovery happens within seconds."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPTIAGENT_")}
    env |= {
        "OPTIAGENT_DATABASE_URL": database_url,
        "OPTIAGENT_REDIS_URL": redis_url,
        "OPTIAGENT_SANDBOX__BACKEND": "local",
        "OPTIAGENT_SERVICE__ALLOW_LOCAL_SANDBOX": "true",  # the tests' own code; the service refuses otherwise
        "OPTIAGENT_WORKER__WORKSPACE": str(workspace),
        "OPTIAGENT_WORKER__LEASE_S": "4",
        "OPTIAGENT_WORKER__SWEEP_INTERVAL_S": "2",
        "OPTIAGENT_WORKER__REQUEUE_AFTER_S": "10",
        "OPTIAGENT_WORKER__VISIBILITY_TIMEOUT_S": "20",
        "OPTIAGENT_API__ALLOW_FILE_URLS": "true",  # the tests' repositories are local
        "COLUMNS": "200",
    }
    return env | extra


@dataclass
class Process:
    """A child process in its own session, logging to a file."""

    popen: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, args: list[str], env: Mapping[str, str], log: Path) -> Process:
        out = log.open("ab")
        popen = subprocess.Popen(
            args, env=dict(env), cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        out.close()
        return cls(popen, log)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def children(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def kill_group(self) -> None:
        """SIGKILL the whole session: the worker and everything it started."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait(timeout=30)

    def stop(self) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.popen.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill_group()

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def optiagent(*args: str) -> list[str]:
    return [sys.executable, "-m", "optiagent.cli", *args]


def start_worker(env: Mapping[str, str], log: Path) -> Process:
    return Process.start(optiagent("worker", "--loglevel", "INFO"), env, log)


def start_api(env: Mapping[str, str], log: Path, processes: int = 1) -> tuple[Process, str]:
    port = free_port()
    args = optiagent("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(processes))
    process = Process.start(args, env, log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"the API exited:\n{process.tail()}")
        try:
            if httpx.get(f"{url}/v1/health", timeout=2).status_code in (200, 503):
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.stop()
    raise RuntimeError(f"the API did not come up:\n{process.tail()}")


def create_token(env: Mapping[str, str], name: str = "tests") -> str:
    done = subprocess.run(
        optiagent("tokens", "create", name),
        env=dict(env),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def tar_gz(directory: Path, top: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(directory, arcname=top or directory.name)
    return buffer.getvalue()


def git_repository(source: Path, destination: Path) -> str:
    """A one-commit git repository with the files of `source`; returns its file:// URL."""
    subprocess.run(["cp", "-r", str(source), str(destination)], check=True)
    identity = ["-c", "user.email=tests@example.com", "-c", "user.name=tests"]
    for args in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-qm", "code"]):
        subprocess.run(["git", *args], cwd=destination, check=True, capture_output=True)
    return f"file://{destination}"


@dataclass
class Client:
    url: str
    token: str
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )

    def submit_archive(self, data: bytes, name: str = "project.tar.gz", **options: str) -> httpx.Response:
        return self.http.post("/v1/jobs", files={"archive": (name, data)}, data=options)

    def submit_git(self, body: Mapping[str, Any], key: str | None = None) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key else {}
        return self.http.post("/v1/jobs", json=dict(body), headers=headers)

    def job(self, job_id: str) -> dict[str, Any]:
        response = self.http.get(f"/v1/jobs/{job_id}")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def wait(self, job_id: str, timeout_s: float = 600) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                job = self.job(job_id)
            except httpx.HTTPError:  # the API may be restarting with its database
                time.sleep(1)
                continue
            if job["status"] in TERMINAL:
                return job
            time.sleep(0.5)
        raise TimeoutError(f"job {job_id} did not finish in {timeout_s:.0f}s")

    def report(self, job_id: str) -> dict[str, Any]:
        response = self.http.get(f"/v1/jobs/{job_id}/report")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def close(self) -> None:
        self.http.close()


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"
