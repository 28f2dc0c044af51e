"""Picks the sandbox backend: `docker`, `local`, or `auto` (Docker when a daemon answers)."""

from __future__ import annotations

from optiagent.adapters.sandbox.docker_image import build_image, image_exists, image_tag
from optiagent.adapters.sandbox.docker_sandbox import DockerOptions, DockerSandbox, connect
from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.ports.sandbox import Sandbox, SandboxLimits, SandboxUnavailableError


def open_docker(limits: SandboxLimits, options: DockerOptions, build: bool) -> DockerSandbox:
    """A DockerSandbox, building the image first when it is missing and `build` allows it."""
    client = connect()
    if options.image:
        return DockerSandbox(limits=limits, options=options, client=client)
    if not image_exists(client, image_tag()):
        if not build:
            raise SandboxUnavailableError(
                f"sandbox image {image_tag()} is missing; build it with tools/sandbox-image"
            )
        try:
            build_image(client)
        except Exception as error:
            raise SandboxUnavailableError(f"cannot build the sandbox image: {error}") from error
    return DockerSandbox(limits=limits, options=options, client=client)


def open_sandbox(
    backend: str, limits: SandboxLimits, options: DockerOptions, build: bool = True
) -> tuple[Sandbox, str | None]:
    """(sandbox, why Docker was not used) for `auto`; `docker` raises SandboxUnavailableError."""

    def local() -> LocalSandbox:
        return LocalSandbox(limits, deps_dir=options.deps_dir, job_interpreters=options.job_interpreters)

    if backend == "local":
        return local(), None
    try:
        return open_docker(limits, options, build), None
    except SandboxUnavailableError as error:
        if backend == "docker":
            raise
        return local(), str(error)
