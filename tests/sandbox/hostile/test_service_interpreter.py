"""The service's sandboxes run jobs with the server's interpreter only: a job naming its own is
refused before anything starts it on the worker's host (describing an interpreter runs it there,
outside any box)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from optiagent.bootstrap import build_sandbox, build_service_sandbox
from optiagent.ports.sandbox import InterpreterUnavailableError, Sandbox, SandboxJob, SandboxStatus
from optiagent.settings import SandboxSettings, ServiceSettings, Settings


def _planting_python(directory: Path, planted: Path) -> Path:
    """A venv-like interpreter that leaves a file on the host whenever it is started."""
    python = directory / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\ntouch {planted}\nexec {sys.executable} "$@"\n')
    python.chmod(0o755)
    (directory / "venv" / "pyvenv.cfg").write_text(f"home = {Path(sys.executable).parent}\n")
    return python


def _settings(backend: str) -> Settings:
    return Settings(
        sandbox=SandboxSettings(backend=backend),  # type: ignore[arg-type]
        service=ServiceSettings(allow_local_sandbox=True),
    )


def _open(backend: str, service: bool) -> Sandbox:
    settings = _settings(backend)
    try:
        return build_service_sandbox(settings) if service else build_sandbox(settings, backend)
    except Exception as error:
        if backend == "docker" and os.environ.get("OPTIAGENT_TEST_DOCKER") != "1":
            pytest.skip(f"Docker unavailable: {error}")
        raise


@pytest.mark.parametrize("backend", ["docker", "local"])
def test_a_service_sandbox_never_starts_an_interpreter_a_job_names(backend: str, tmp_path: Path) -> None:
    planted = tmp_path / "started-on-the-host"
    python = _planting_python(tmp_path, planted)
    job = SandboxJob(argv=("{python}", "-c", "print(6 * 7)"), python=str(python))

    cli = _open(backend, service=False)  # the CLI's sandbox does describe it: the probe works
    try:
        cli.run(job)
    except InterpreterUnavailableError:
        pass  # the Docker box may not run it; describing it on the host happened already
    finally:
        cli.close()
    assert planted.exists()
    planted.unlink()

    box = _open(backend, service=True)
    try:
        with pytest.raises(InterpreterUnavailableError, match="server's interpreter only"):
            box.run(job)
        assert not planted.exists()
        served = box.run(SandboxJob(argv=("{python}", "-c", "print(6 * 7)")))
        assert (served.status, served.stdout) == (SandboxStatus.OK, b"42\n")
    finally:
        box.close()
