"""`optiagent sandbox ...`: run a file in the sandbox, build the Docker image."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer

from optiagent.bootstrap import build_sandbox
from optiagent.domain.errors import ConfigError, InputError
from optiagent.ports.sandbox import SandboxJob, SandboxLimits
from optiagent.settings import load_settings

sandbox_app = typer.Typer(no_args_is_help=True, help="Run code in the sandbox; build its image.")
_OUTPUT_BOUND = 64 * 1024  # bytes of stdout/stderr printed


@sandbox_app.command("run")
def run_file(
    file: Annotated[Path, typer.Argument(help="Python file to run.")],
    backend: Annotated[str | None, typer.Option(help="docker or local (default: settings, auto).")] = None,
    timeout: Annotated[float | None, typer.Option(help="Wall-clock limit in seconds.")] = None,
    memory: Annotated[int | None, typer.Option(help="Memory limit in MB.")] = None,
) -> None:
    """Runs FILE.py in the sandbox with the configured limits; prints a JSON result."""
    if not file.is_file():
        raise InputError(f"{file} is not a file; pass the Python file to run")
    if backend not in (None, "auto", "docker", "local"):
        raise InputError(f"--backend must be docker or local, not {backend!r}")
    if (timeout is not None and timeout <= 0) or (memory is not None and memory < 16):
        raise InputError("--timeout must be positive and --memory at least 16 (MB)")
    settings = load_settings()
    limits = SandboxLimits(
        timeout_s=timeout or settings.sandbox.timeout_s,
        cpu_s=max(settings.sandbox.cpu_s, int(timeout or 0) + 1),
        memory_mb=memory or settings.sandbox.memory_mb,
        max_output_bytes=_OUTPUT_BOUND,
    )
    settings = settings.model_copy(update={"sandbox": settings.sandbox.model_copy(update={"pool_size": 1})})
    box = build_sandbox(settings, backend)
    try:
        job = SandboxJob(argv=("{python}", file.name), files={file.name: file.read_bytes()}, limits=limits)
        result = box.run(dataclasses.replace(job, limits=limits))
    finally:
        box.close()
    typer.echo(
        json.dumps(
            {
                "status": result.status.value,
                "exit_code": result.exit_code,
                "stdout": result.stdout.decode("utf-8", "replace"),
                "stderr": result.stderr.decode("utf-8", "replace"),
                "wall_s": round(result.wall_s, 4),
                "backend": box.name,
            }
        )
    )


@sandbox_app.command("deps")
def deps(
    requirements: Annotated[list[str], typer.Argument(help="Requirement specifiers, e.g. numpy==2.1.0.")],
    target: Annotated[
        Path, typer.Option(help="Directory to install into (then OPTIAGENT_SANDBOX__DEPS_DIR).")
    ],
) -> None:
    """Installs dependencies of the code under test into TARGET, never into the service's environment.

    Wheels only (no package build scripts run on the host); TARGET is put on PYTHONPATH of every
    job (mounted read-only into Docker boxes) when OPTIAGENT_SANDBOX__DEPS_DIR points at it.
    """
    import subprocess

    from optiagent.adapters.sandbox.docker_image import box_python

    command = [box_python(), "-m", "pip", "install", "--disable-pip-version-check", "--only-binary=:all:"]
    done = subprocess.run([*command, "--target", str(target), *requirements], check=False)
    if done.returncode != 0:
        raise InputError(f"pip could not install {' '.join(requirements)} as wheels into {target}")
    typer.echo(f"installed into {target.resolve()}; set OPTIAGENT_SANDBOX__DEPS_DIR={target.resolve()}")


@sandbox_app.command("image")
def image(
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when it exists.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Remove images of older recipes.")] = False,
) -> None:
    """Builds the Docker validation image offline (tag: hash of its recipe) unless it exists."""
    from optiagent.adapters.sandbox.docker_image import build_image, prune_images
    from optiagent.adapters.sandbox.docker_sandbox import connect
    from optiagent.ports.sandbox import SandboxUnavailableError

    try:
        client = connect()
    except SandboxUnavailableError as error:
        raise ConfigError(f"{error}; start the Docker daemon first") from error
    tag = build_image(client, force=force)
    if prune:
        for old in prune_images(client, keep=tag):
            typer.echo(f"removed {old}", err=True)
    typer.echo(tag)
