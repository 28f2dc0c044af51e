"""Hostile clients against the real API over HTTP (uvicorn, Postgres, Redis, Celery workers):
archives that write outside, headers that exhaust memory, repositories on internal networks,
configuration that picks the interpreter. Each asserts the refusal and that nothing was written
outside the job's directory."""

from __future__ import annotations

import io
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.conftest import WorkerFactory
from tests.service.hostile import huge_header_tar, symlink_chain_tar
from tests.service.stack import Client, start_api

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def strict_api(env: dict[str, str], service_dir: Path) -> Iterator[str]:
    """An API with the repository settings an operator gets by default (no file://)."""
    defaults = {key: value for key, value in env.items() if not key.startswith("OPTIAGENT_API__")}
    process, url = start_api(defaults, service_dir / "strict-api.log")
    yield url
    process.stop()


@pytest.fixture
def strict(strict_api: str, token: str) -> Iterator[Client]:
    opened = Client(strict_api, token)
    yield opened
    opened.close()


def _peak_rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return int(next(line for line in status if line.startswith("VmHWM")).split()[1]) / 1024


def _api_pid(url: str) -> int:
    """The uvicorn process listening on `url`'s port (one API process: it serves in-process)."""
    port = int(url.rsplit(":", 1)[1])
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # LISTEN
                inodes.add(fields[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            links = {str(Path(fd).readlink()) for fd in (proc / "fd").iterdir()}
        except OSError:
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            return int(proc.name)
    raise LookupError(f"no process listens on {url}")


def _workspace_files(env: dict[str, str]) -> list[Path]:
    workspace = Path(env["OPTIAGENT_WORKER__WORKSPACE"])
    return sorted(workspace.rglob("*")) if workspace.exists() else []


def test_the_symlink_chain_upload_is_refused_and_writes_nothing(
    client: Client, env: dict[str, str], tmp_path: Path
) -> None:
    """The confirmed write-anywhere archive gets a 400 and the file it aims at never appears."""
    target = tmp_path / "outside" / "escaped.txt"
    target.parent.mkdir()
    before = _workspace_files(env)
    response = client.submit_archive(symlink_chain_tar(target, b"pwned\n"))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert not target.exists()
    assert _workspace_files(env) == before


@pytest.mark.parametrize("kind", [tarfile.XHDTYPE, tarfile.GNUTYPE_LONGNAME])
def test_a_huge_header_upload_is_refused_in_bounded_memory(client: Client, api: str, kind: bytes) -> None:
    """A 0.25 MiB gzip holding a 150 MiB pax or long-name header: a quick 400, and the API's
    peak RSS does not grow by anything like the header's size."""
    data = huge_header_tar(kind, 150 * 2**20)
    assert len(data) < 300 * 1024
    pid = _api_pid(api)
    before = _peak_rss_mib(pid)
    started = time.monotonic()
    response = client.submit_archive(data)
    elapsed = time.monotonic() - started
    assert response.status_code == 400, response.text
    assert "header" in response.json()["detail"]
    assert elapsed < 5.0
    assert _peak_rss_mib(pid) - before < 32


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc",
        "https://127.0.0.1/x.git",
        "https://localhost:8080/x.git",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/x.git",
        "https://10.0.0.1/x.git",
        "http://example.com/x.git",
        "ssh://git@example.com/x.git",
    ],
)
def test_repositories_on_internal_networks_are_refused_by_default(strict: Client, url: str) -> None:
    """By default only https to public hosts is fetched; everything else is a 422 at submission."""
    response = strict.submit_git({"repo_url": url})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM


def test_credentials_in_a_repository_url_are_never_echoed(strict: Client) -> None:
    """Neither a refusal nor a validation error repeats the user:token part of a URL."""
    for body in (
        {"repo_url": "https://alice:s3cret-token@127.0.0.1/x.git"},
        {"repo_url": "https://alice:s3cret-token@127.0.0.1/x.git", "ref": "--upload-pack=x"},
        {"repo": "https://alice:s3cret-token@example.com/x.git"},
    ):
        response = strict.submit_git(body)
        assert response.status_code == 422
        assert "s3cret-token" not in response.text and "alice" not in response.text


def _interpreter_trap(tmp_path: Path) -> tuple[bytes, Path, Path]:
    """An archive of two sub-projects that each try to make the worker start an interpreter of
    their choosing: one names a host path outside the job (`python = "/abs/..."`, what made the
    Docker sandbox mount another job's directory), one ships its own `bin/python` and names it in
    its workload (run inside the sandbox, as a workload may; started by the worker to describe it,
    it leaves a marker). The host-path interpreter leaves a marker whenever it is started."""
    planted, shipped = tmp_path / "planted-marker", tmp_path / "shipped-marker"
    host_python = tmp_path / "elsewhere" / "bin" / "python"
    host_python.parent.mkdir(parents=True)
    host_python.write_text(f'#!/bin/sh\ntouch {planted}\nexec {sys.executable} "$@"\n')
    host_python.chmod(0o755)
    code = "def total(n):\n    s = 0\n    for i in range(n):\n        s = s + i\n    return s\n"
    files = {
        "p/a/pyproject.toml": f'[tool.optiagent]\npython = "{host_python}"\nworkload = "python run.py"\n',
        "p/a/mod_a.py": code,
        "p/a/run.py": "from mod_a import total\nfor _ in range(200):\n    total(2000)\n",
        "p/b/pyproject.toml": '[tool.optiagent]\nworkload = "bin/python run.py"\n',
        # `-I` first: how the worker asks an interpreter to describe itself, on the host
        "p/b/bin/python": f'#!/bin/sh\n[ "$1" = -I ] && touch {shipped}\nexec {sys.executable} "$@"\n',
        "p/b/mod_b.py": code,
        "p/b/run.py": "from mod_b import total\nfor _ in range(200):\n    total(2000)\n",
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            info = tarfile.TarInfo(name)
            data = text.encode()
            info.size, info.mode = len(data), 0o755 if name.endswith("bin/python") else 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue(), planted, shipped


@pytest.mark.slow
def test_uploaded_configuration_cannot_choose_the_interpreter(
    client: Client, workers: WorkerFactory, tmp_path: Path
) -> None:
    """Neither `[tool.optiagent] python` naming a host path nor a workload naming the archive's own
    `bin/python` gets an interpreter started on the worker: the job runs with the server's."""
    data, planted, shipped = _interpreter_trap(tmp_path)
    workers()
    response = client.submit_archive(data, budget="2")
    assert response.status_code == 201, response.text
    job = client.wait(response.json()["id"], timeout_s=600)
    assert not planted.exists(), "the worker started the interpreter a job's pyproject.toml named"
    assert not shipped.exists(), "the worker started the interpreter shipped in the archive"
    assert job["status"] == "succeeded", job
    report = client.report(job["id"])
    assert {t["file"].split("/")[0] for t in report["targets"]} <= {"a", "b"}
