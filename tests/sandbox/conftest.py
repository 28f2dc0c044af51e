"""Sandbox backends for tests. Docker tests skip when no daemon answers, except under tools/test
(OPTIAGENT_TEST_DOCKER=1), where a missing daemon or image is a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from optiagent.adapters.sandbox.docker_sandbox import DockerOptions, DockerSandbox
from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.ports.sandbox import Sandbox, SandboxUnavailableError

BACKENDS = ("local", "docker")


def docker_sandbox(options: DockerOptions | None = None) -> DockerSandbox:
    """A DockerSandbox (building the image if needed), or a skip/failure saying why not."""
    from optiagent.adapters.sandbox.choose import open_docker
    from optiagent.ports.sandbox import SandboxLimits

    try:
        return open_docker(SandboxLimits(), options or DockerOptions(), build=True)
    except SandboxUnavailableError as error:
        if os.environ.get("OPTIAGENT_TEST_DOCKER") == "1":
            pytest.fail(f"Docker is required under tools/test: {error}")
        pytest.skip(f"Docker unavailable: {error}")


@pytest.fixture(scope="session")
def local_box() -> Iterator[LocalSandbox]:
    box = LocalSandbox()
    yield box
    box.close()


@pytest.fixture(scope="session")
def docker_box() -> Iterator[DockerSandbox]:
    box = docker_sandbox(DockerOptions(pool_size=2))
    yield box
    box.close()


@pytest.fixture(params=BACKENDS)
def box(request: pytest.FixtureRequest) -> Sandbox:
    """Each test using `box` runs once per backend."""
    name = request.param
    return request.getfixturevalue("local_box" if name == "local" else "docker_box")  # type: ignore[no-any-return]
