"""`optiagent report RUN_ID` (a kept report, as JSON or an HTML page) and `optiagent schema`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from optiagent.bootstrap import build_store
from optiagent.reporting.models import RunReport, report_schema
from optiagent.services.stored_reports import stored_report
from optiagent.settings import load_settings

schema_app = typer.Typer(no_args_is_help=True, help="JSON Schemas of optiagent's documents.")


def report_command(
    run_id: Annotated[str, typer.Argument(help="Run id (or its start, as `optiagent history` shows it).")],
    path: Annotated[Path, typer.Argument(help="Project root whose default database to read.")] = Path("."),
    db: Annotated[str | None, typer.Option(help="History database URL.")] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the report as an HTML page here.")
    ] = None,
) -> None:
    """A past run's report from history: JSON to stdout, or with --html a self-contained page."""
    if html is not None:
        from optiagent.reporting.plots import require_matplotlib

        require_matplotlib()
    store = build_store(load_settings(), db, path)
    try:
        data = stored_report(store, run_id)
    finally:
        store.close()
    if html is None:
        typer.echo(json.dumps(data, indent=2))
        return
    write_html(html, RunReport.model_validate(data))
    typer.echo(f"wrote {html}", err=True)


@schema_app.command("report")
def report_schema_command() -> None:
    """The JSON Schema of the report (`optimize --json`, `report`, the API's job report)."""
    typer.echo(json.dumps(report_schema(), indent=2))


def write_html(path: Path, report: RunReport) -> None:
    """The page, written whole: a temporary file beside `path`, renamed over it."""
    from optiagent.reporting.html import render_html

    text = render_html(report)
    target = path.resolve()
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(temporary, 0o644)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
