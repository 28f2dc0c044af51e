"""Backend choice: auto falls back to local with the reason; docker refuses to fall back."""

from __future__ import annotations

import pytest

from optiagent.adapters.sandbox.choose import open_sandbox
from optiagent.adapters.sandbox.docker_sandbox import DockerOptions
from optiagent.bootstrap import build_sandbox
from optiagent.domain.errors import ConfigError
from optiagent.ports.sandbox import SandboxLimits, SandboxUnavailableError
from optiagent.settings import Settings


@pytest.fixture
def no_daemon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")


def test_auto_falls_back_to_local_and_says_why(no_daemon: None) -> None:
    box, reason = open_sandbox("auto", SandboxLimits(), DockerOptions())
    try:
        assert box.name == "local"
        assert reason is not None and "no Docker daemon answers" in reason
    finally:
        box.close()


def test_docker_backend_does_not_fall_back(no_daemon: None) -> None:
    with pytest.raises(SandboxUnavailableError, match="no Docker daemon answers"):
        open_sandbox("docker", SandboxLimits(), DockerOptions())
    with pytest.raises(ConfigError, match="--sandbox local"):
        build_sandbox(Settings(), "docker")


def test_unknown_backend_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="auto, docker or local"):
        build_sandbox(Settings(), "podman")
