"""The wheel as a user installs it (no clone): built with uv, installed into fresh venvs (core only,
and with the service extra) and run from a copy of a bundled example outside the repository.

The venvs are constrained to uv.lock's versions, the ones the rest of the suite runs with; uv's
cache makes each install a matter of seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.version import __version__

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "primes"
SERVICE_HINT = "pip install 'optiagent[service]'"


def uv() -> str:
    found = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    assert found, "uv is needed to build and install the wheel (tools/setup installs it)"
    return found


def run(command: list[str], cwd: Path, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=user_env(**env), capture_output=True, text=True, timeout=timeout, check=False
    )


def user_env(**extra: str) -> dict[str, str]:
    """A new user's environment: none of the suite's OPTIAGENT_* settings, no venv, no repo on the path."""
    dropped = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPTIAGENT_") and k not in dropped}
    return env | {"COLUMNS": "200", "NO_COLOR": "1"} | extra


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = run([uv(), "build", "--wheel", "--out-dir", str(out), str(REPO)], cwd=REPO)
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("optiagent-*.whl")
    return found


@pytest.fixture(scope="module")
def constraints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lock") / "constraints.txt"
    command = [
        uv(),
        "export",
        "--frozen",
        "--all-extras",
        "--no-emit-project",
        "--no-hashes",
        "-o",
        str(path),
    ]
    exported = run(command, cwd=REPO)
    assert exported.returncode == 0, exported.stderr
    return path


def install(wheel: Path, constraints: Path, where: Path, extras: str = "") -> Path:
    """A fresh venv holding the wheel (with `extras`); returns its bin directory."""
    made = run([uv(), "venv", "--quiet", "--python", sys.executable, str(where)], cwd=where.parent)
    assert made.returncode == 0, made.stderr
    requirement = f"optiagent{f'[{extras}]' if extras else ''} @ {wheel.as_uri()}"
    python = str(where / "bin" / "python")
    done = run(
        [uv(), "pip", "install", "--quiet", "--python", python, "-c", str(constraints), requirement],
        cwd=where.parent,
    )
    assert done.returncode == 0, done.stderr
    return where / "bin"


@pytest.fixture(scope="module")
def core(wheel: Path, constraints: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install(wheel, constraints, tmp_path_factory.mktemp("core") / "venv")


@pytest.fixture(scope="module")
def service(wheel: Path, constraints: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install(wheel, constraints, tmp_path_factory.mktemp("service") / "venv", "service")


def test_the_wheel_holds_one_package_with_its_version(wheel: Path, core: Path, tmp_path: Path) -> None:
    """The version written once in optiagent/version.py names the wheel and is what --version prints;
    the installed package is the venv's, not the repository's."""
    assert wheel.name.startswith(f"optiagent-{__version__}-")
    shown = run([str(core / "optiagent"), "--version"], cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == f"optiagent {__version__}"
    # the venv's copy, and no generic top-level package (such as `workers`) beside it
    script = (
        "import importlib.util, optiagent; print(optiagent.__file__, importlib.util.find_spec('workers'))"
    )
    where = run([str(core / "python"), "-c", script], cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    location, workers = where.stdout.split()
    assert Path(location).is_relative_to(core.parent)
    assert workers == "None"


def test_the_core_install_ships_its_prompts(core: Path, tmp_path: Path) -> None:
    script = "from optiagent.agents.prompts import load_prompts; print(len(load_prompts()))"
    loaded = run([str(core / "python"), "-c", script], cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert int(loaded.stdout) == len(list((REPO / "optiagent" / "prompts").glob("*.md")))


def test_the_core_install_optimizes_an_example_outside_the_repository(core: Path, tmp_path: Path) -> None:
    """optimize writes a report, and the run is in the SQLite history (migrations came with the wheel)."""
    project = tmp_path / "primes"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".optiagent", "__pycache__"))
    optiagent = str(core / "optiagent")
    command = [optiagent, "optimize", "primes", "--sandbox", "local", "--max-targets", "1"]
    done = run([*command, "--time-budget", "20", "--json", "report.json"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "history store unavailable" not in done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"]["targets"] >= 1
    stored = run([optiagent, "report", report["run_id"], "primes"], cwd=tmp_path)
    assert stored.returncode == 0, stored.stderr
    assert json.loads(stored.stdout)["run_id"] == report["run_id"]


@pytest.mark.parametrize("command", [["serve"], ["worker"]])
def test_the_core_install_names_the_service_extra(core: Path, tmp_path: Path, command: list[str]) -> None:
    """Service commands without the extra: one line naming the install command, exit 2."""
    done = run([str(core / "optiagent"), *command], cwd=tmp_path)
    assert done.returncode == 2
    assert SERVICE_HINT in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_the_core_install_names_the_postgres_driver(core: Path, tmp_path: Path) -> None:
    done = run(
        [str(core / "optiagent"), "db", "upgrade", "--db", "postgresql://nobody@127.0.0.1:1/none"],
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "psycopg" in done.stderr and SERVICE_HINT in done.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def served(service: Path, tmp_path: Path) -> Iterator[str]:
    """`optiagent serve` from the service install, on 127.0.0.1, with SQLite history in tmp_path."""
    port = free_port()
    env = user_env(OPTIAGENT_SANDBOX__BACKEND="local", OPTIAGENT_SERVICE__ALLOW_LOCAL_SANDBOX="true")
    command = [str(service / "optiagent"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout is not None:
            server.stdout.close()


def test_the_service_install_serves_the_api(service: Path, served: str, tmp_path: Path) -> None:
    shown = run([str(service / "optiagent"), "serve", "--help"], cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{served}/openapi.json", timeout=5) as answer:
                document = json.load(answer)
            break
        except (urllib.error.URLError, ConnectionError):
            assert time.monotonic() < deadline, "optiagent serve did not answer within 120 s"
            time.sleep(1)
    assert any(path.startswith("/v1/jobs") for path in document["paths"])
