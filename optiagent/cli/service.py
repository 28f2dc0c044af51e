"""`optiagent serve`, `optiagent worker` and `optiagent tokens create|list|revoke`: the service's
processes and its API tokens."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Annotated

import typer

from optiagent.bootstrap import build_job_store, require_service_sandbox
from optiagent.domain.jobs import DEFAULT_TENANT
from optiagent.extras import require_extra
from optiagent.logging_setup import log_level
from optiagent.services.tokens import create_token, parse_duration, revoke_token
from optiagent.settings import load_settings

tokens_app = typer.Typer(no_args_is_help=True, help="API tokens of the service.")


@tokens_app.callback()
def _tokens_need_the_service() -> None:
    require_extra("service", "optiagent tokens")


# The API is a sibling top layer: the CLI starts it by name, without importing it.
API_FACTORY = "optiagent.api.main:app_from_settings"


def serve(
    host: Annotated[str, typer.Option(help="Address to bind (keep 127.0.0.1 behind a proxy).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="API processes.")] = 1,
) -> None:
    """Serve the REST API (OpenAPI at /openapi.json, routes under /v1). Needs the service extra."""
    require_extra("service", "optiagent serve")
    import uvicorn

    require_service_sandbox(load_settings())  # the workers beside it read the same settings
    uvicorn.run(
        API_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=logging.getLevelName(log_level(load_settings().log_level)).lower(),
        log_config=None,  # the app factory configures logging (stderr, one format for everything)
        access_log=False,
    )


def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Tasks at once (default OPTIAGENT_WORKER__CONCURRENCY).")
    ] = None,
    loglevel: Annotated[
        str | None, typer.Option(help="Log level (default OPTIAGENT_LOG_LEVEL, else WARNING).")
    ] = None,
) -> None:
    """Run a Celery worker for optimization jobs (`celery -A optiagent.worker.app worker`). Needs the service extra."""
    require_extra("service", "optiagent worker")
    settings = load_settings()
    require_service_sandbox(settings)  # a clear refusal before Celery starts

    from optiagent.worker.app import app

    app.worker_main(
        [
            "worker",
            f"--loglevel={loglevel or settings.log_level}",
            f"--concurrency={concurrency or settings.worker.concurrency}",
            f"--hostname=optiagent-{os.getpid()}@%h",
            "--queues=optiagent",
        ]
    )


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Argument(help="Who or what the token is for.")],
    tenant: Annotated[
        str, typer.Option(help="The tenant whose jobs and edits the token sees (and only those).")
    ] = DEFAULT_TENANT,
    expires_in: Annotated[
        str | None, typer.Option(help="Lifetime, e.g. 3600s, 12h, 30d, 2w (default: until revoked).")
    ] = None,
) -> None:
    """Create an API token; it is printed once, alone on the last line, and stored only hashed."""
    lifetime = parse_duration(expires_in) if expires_in is not None else None
    jobs = build_job_store(load_settings())
    try:
        token, plaintext = create_token(jobs, name, tenant, lifetime)
    finally:
        jobs.close()
    until = f", expires {token.expires_at.isoformat(timespec='seconds')}" if token.expires_at else ""
    typer.echo(
        f"created token {token.name!r} of tenant {token.tenant!r} (id {token.id}{until}); it is shown only now:",
        err=True,
    )
    typer.echo(plaintext)


@tokens_app.command("list")
def tokens_list() -> None:
    """Every token: id, tenant, name, created, expires, state (never the secret: it is not kept)."""
    jobs = build_job_store(load_settings())
    try:
        found = jobs.tokens()
    finally:
        jobs.close()
    now = datetime.now(UTC)
    typer.echo("id\ttenant\tname\tcreated\texpires\tstate")
    for token in found:
        state = "revoked" if token.revoked_at else "active" if token.valid_at(now) else "expired"
        expires = token.expires_at.isoformat(timespec="seconds") if token.expires_at else "-"
        created = token.created_at.isoformat(timespec="seconds")
        typer.echo(f"{token.id}\t{token.tenant}\t{token.name}\t{created}\t{expires}\t{state}")


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (`optiagent tokens list`).")],
) -> None:
    """Revoke a token: the API refuses it from now on (within a few seconds: its short cache)."""
    jobs = build_job_store(load_settings())
    try:
        token = revoke_token(jobs, token_id)
    finally:
        jobs.close()
    typer.echo(f"revoked token {token.name!r} of tenant {token.tenant!r} (id {token.id})")
