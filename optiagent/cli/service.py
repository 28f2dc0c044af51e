"""`optiagent serve`, `optiagent worker` and `optiagent tokens create`: the service's processes."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from optiagent.bootstrap import build_job_store
from optiagent.services.tokens import create_token
from optiagent.settings import load_settings

tokens_app = typer.Typer(no_args_is_help=True, help="API tokens of the service.")

# The API is a sibling top layer: the CLI starts it by name, without importing it.
API_FACTORY = "optiagent.api.main:app_from_settings"


def serve(
    host: Annotated[str, typer.Option(help="Address to bind (keep 127.0.0.1 behind a proxy).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="API processes.")] = 1,
) -> None:
    """Serve the REST API (OpenAPI at /openapi.json, routes under /v1)."""
    import uvicorn

    uvicorn.run(
        API_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Tasks at once (default OPTIAGENT_WORKER__CONCURRENCY).")
    ] = None,
    loglevel: Annotated[str, typer.Option(help="Celery log level.")] = "INFO",
) -> None:
    """Run a Celery worker for optimization jobs (same as `celery -A workers.app worker`)."""
    from workers.app import app

    settings = load_settings()
    app.worker_main(
        [
            "worker",
            f"--loglevel={loglevel}",
            f"--concurrency={concurrency or settings.worker.concurrency}",
            f"--hostname=optiagent-{os.getpid()}@%h",
            "--queues=optiagent",
        ]
    )


@tokens_app.command("create")
def tokens_create(name: Annotated[str, typer.Argument(help="Who or what the token is for.")]) -> None:
    """Create an API token; it is printed once, alone on the last line, and stored only hashed."""
    jobs = build_job_store(load_settings())
    try:
        token, plaintext = create_token(jobs, name)
    finally:
        jobs.close()
    typer.echo(f"created token {token.name!r} (id {token.id}); it is shown only now:", err=True)
    typer.echo(plaintext)
