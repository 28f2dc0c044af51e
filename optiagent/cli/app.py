"""`optiagent` command line. Exit codes: 0 run completed, 1 internal error, 2 bad input or usage."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import structlog
import typer
from rich.console import Console

from optiagent.bootstrap import (
    build_generators,
    build_llm,
    build_sandbox,
    build_store,
    default_database_url,
    default_strategies,
)
from optiagent.cli.llm_flags import with_llm_flags
from optiagent.cli.render import RichProgress, render_report
from optiagent.cli.sandbox_cmd import sandbox_app
from optiagent.cli.service import serve, tokens_app, worker
from optiagent.cli.synthesize_cmd import synthesize_command
from optiagent.domain.errors import ConfigError, InputError
from optiagent.ports.store import StoreUnavailableError
from optiagent.services.apply import apply_report
from optiagent.services.requests import OptimizeRequest
from optiagent.services.target_run import Services
from optiagent.settings import load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Make Python code faster, with proof.")
db_app = typer.Typer(no_args_is_help=True, help="The history database.")
app.add_typer(db_app, name="db")
app.add_typer(sandbox_app, name="sandbox")
err = Console(stderr=True)


@app.command()
def optimize(
    path: Annotated[Path, typer.Argument(help="Directory, file or program to optimize.")],
    workload: Annotated[
        str | None, typer.Option(help="Command whose run is profiled, e.g. 'python bench.py'.")
    ] = None,
    function: Annotated[list[str], typer.Option("--function", help="Only this qualname (repeatable).")] = [],  # noqa: B006
    strategy: Annotated[list[str], typer.Option("--strategy", help="Candidate strategy (repeatable).")] = [],  # noqa: B006
    min_speedup: Annotated[
        float | None, typer.Option(help="Accept when the CI lower bound reaches this.")
    ] = None,
    python: Annotated[
        str | None, typer.Option(help="Interpreter of the project (its venv's python).")
    ] = None,
    stdin: Annotated[list[Path], typer.Option("--stdin", help="Input case for a program target.")] = [],  # noqa: B006
    stdin_dir: Annotated[Path | None, typer.Option(help="Directory of *.in input cases.")] = None,
    max_targets: Annotated[int, typer.Option(help="At most this many targets per project.")] = 6,
    apply: Annotated[bool, typer.Option("--apply", help="Write accepted edits to the files.")] = False,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the JSON report here.")] = None,
    db: Annotated[
        str | None, typer.Option(help="History database URL (default SQLite under the root).")
    ] = None,
    sandbox: Annotated[str | None, typer.Option(help="auto, docker or local.")] = None,
    diffs: Annotated[bool, typer.Option(help="Print unified diffs of improvements.")] = True,
    provider: Annotated[
        str | None, typer.Option(help="LLM provider: openai, anthropic, openai-compatible or none.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="LLM model name.")] = None,
    base_url: Annotated[str | None, typer.Option(help="LLM server URL (e.g. a local vLLM/Ollama).")] = None,
    temperature: Annotated[float | None, typer.Option(help="LLM sampling temperature.")] = None,
    max_tokens: Annotated[int | None, typer.Option(help="LLM max tokens per completion.")] = None,
    token_budget: Annotated[int | None, typer.Option(help="LLM tokens this run may spend.")] = None,
) -> None:
    """Find, prove and (with --apply) write faster versions of the hot code under PATH."""
    settings = with_llm_flags(
        load_settings(), provider, model, base_url, temperature, max_tokens, token_budget
    )
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))
    if min_speedup is not None and min_speedup <= 0:
        raise InputError("--min-speedup must be positive, e.g. 1.05")
    if not path.exists():
        raise InputError(f"{path} does not exist; pass the directory or file to optimize")
    cases = tuple(stdin) + ((stdin_dir,) if stdin_dir else ())
    request = OptimizeRequest(
        root=path,
        workload=workload,
        functions=tuple(function),
        strategies=tuple(strategy),
        min_speedup=min_speedup,
        python=python,
        stdin_cases=cases,
        max_targets=max_targets,
        workers=settings.sandbox.workers,
    )
    box = build_sandbox(settings, sandbox)
    store = build_store(settings, db, path)
    llm = build_llm(settings, db or settings.database_url or default_database_url(path))
    strategies = request.strategies or default_strategies(llm)
    console = Console(stderr=True)
    from optiagent.services.optimize import optimize as run_optimize

    try:
        with RichProgress(console) as progress:
            services = Services(
                sandbox=box,
                store=store,
                generators=build_generators(strategies, llm),
                progress=progress,
                check=request.check,
                bench=request.bench,
                min_speedup=min_speedup or 1.05,
                workers=request.workers,
            )
            report = run_optimize(request, services, box.name)
        if apply:
            outcome = apply_report(report, path)
            for file, reason in outcome.refused:
                err.print(f"[yellow]not applied to {file}: {reason}")
            for target in report.targets:
                if target.applied and target.edit_id:
                    store.mark_applied(target.edit_id)
        render_report(Console(), report, show_diffs=diffs and not apply)
        if json_path is not None:
            json_path.write_text(json.dumps(report.to_json(), indent=2), encoding="utf-8")
    finally:
        box.close()
        store.close()


@app.command()
def history(
    path: Annotated[Path, typer.Argument(help="Project root whose default database to read.")] = Path("."),
    db: Annotated[str | None, typer.Option(help="History database URL.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List accepted edits from the history store."""
    settings = load_settings()
    store = build_store(settings, db, path)
    try:
        edits = store.accepted_edits()
    finally:
        store.close()
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "file": e.file,
                        "qualname": e.qualname,
                        "speedup": e.speedup,
                        "ci": [e.ci_low, e.ci_high],
                        "strategy": e.strategy,
                        "rules": list(e.rules),
                        "applied": e.applied,
                        "created_at": e.created_at.isoformat(),
                        "run_id": e.run_id,
                    }
                    for e in edits
                ],
                indent=2,
            )
        )
        return
    from rich.table import Table

    table = Table(title=f"accepted edits ({len(edits)})")
    for column in ("when", "target", "speedup", "rules", "applied"):
        table.add_column(column)
    for edit in edits:
        table.add_row(
            edit.created_at.strftime("%Y-%m-%d %H:%M"),
            f"{edit.file}::{edit.qualname}",
            f"{edit.speedup:.2f}x",
            ", ".join(edit.rules) or edit.strategy,
            "yes" if edit.applied else "no",
        )
    Console().print(table)


@db_app.command("upgrade")
def db_upgrade(
    db: Annotated[str | None, typer.Option(help="Database URL (default: OPTIAGENT_DATABASE_URL).")] = None,
) -> None:
    """Run the history store's migrations up to the newest schema."""
    from optiagent.adapters.store.migrate import upgrade

    url = db or load_settings().database_url or default_database_url(Path("."))
    upgrade(url)
    typer.echo(f"database at {url.split('@')[-1]} is up to date")


app.command()(serve)
app.command()(worker)
app.add_typer(tokens_app, name="tokens")
app.command("synthesize")(synthesize_command)


def main() -> None:
    try:
        app(standalone_mode=False)
    except (InputError, ConfigError) as error:
        err.print(f"[red]error:[/red] {error}")
        sys.exit(2)
    except StoreUnavailableError as error:
        err.print(f"[red]history store unavailable:[/red] {error}")
        sys.exit(2)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        sys.exit(1)
    except Exception as error:  # click's usage errors carry their own exit code
        code = getattr(error, "exit_code", None)
        if code is not None and hasattr(error, "show"):
            error.show()
            sys.exit(2)
        err.print_exception()
        sys.exit(1)
