"""`optiagent export RUN_ID --pyperf DIR`: a past run's raw benchmark samples for other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optiagent.bootstrap import build_store
from optiagent.services.pyperf_export import export_pyperf
from optiagent.settings import load_settings


def export_command(
    run_id: Annotated[str, typer.Argument(help="Run id (or its start, as `optiagent history` shows it).")],
    pyperf: Annotated[
        Path,
        typer.Option(
            "--pyperf",
            help="Write original.json and candidate.json here, in pyperf's format "
            "(python -m pyperf compare_to DIR/original.json DIR/candidate.json).",
        ),
    ],
    path: Annotated[Path, typer.Argument(help="Project root whose default database to read.")] = Path("."),
    db: Annotated[str | None, typer.Option(help="History database URL.")] = None,
) -> None:
    """Export a run's benchmark samples: one pyperf file per side, a benchmark per measured candidate."""
    store = build_store(load_settings(), db, path)
    try:
        written = export_pyperf(store, run_id, pyperf)
    finally:
        store.close()
    for file in written:
        typer.echo(f"wrote {file}", err=True)
