"""`optiagent` command line. Exit codes: 0 run completed, 1 internal error, 2 bad input or usage."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from optiagent.bootstrap import (
    build_generators,
    build_llm,
    build_sandbox,
    build_store,
    default_database_url,
    default_strategies,
)
from optiagent.cli.export_cmd import export_command
from optiagent.cli.interrupts import EXIT_INTERRUPTED, Interruption
from optiagent.cli.llm_flags import with_llm_flags
from optiagent.cli.output import (
    LogFormat,
    Output,
    Quiet,
    Verbose,
    command_output,
    is_stdout,
    report_console,
    write_json,
)
from optiagent.cli.progress import open_progress
from optiagent.cli.render import render_report
from optiagent.cli.report_cmd import report_command, schema_app, write_html
from optiagent.cli.sandbox_cmd import sandbox_app
from optiagent.cli.service import serve, tokens_app, worker
from optiagent.cli.synthesize_cmd import synthesize_command
from optiagent.domain.errors import ConfigError, InputError
from optiagent.ports.store import StoreUnavailableError
from optiagent.reporting.models import typed_report
from optiagent.reporting.plots import require_matplotlib
from optiagent.services.apply import apply_report
from optiagent.services.requests import DEFAULT_TIME_BUDGET_S, OptimizeRequest
from optiagent.services.target_run import Services
from optiagent.services.workload_report import workload_problems
from optiagent.settings import load_settings
from optiagent.version import __version__

app = typer.Typer(no_args_is_help=True, help="Make Python code faster, with proof.")
db_app = typer.Typer(no_args_is_help=True, help="The history database.")
app.add_typer(db_app, name="db")
app.add_typer(sandbox_app, name="sandbox")
err = Console(stderr=True)


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"optiagent {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    verbose: Verbose = 0,
    quiet: Quiet = False,
    log_format: LogFormat = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Options of every command (logs go to stderr; reports to stdout)."""
    output = Output().merged(verbose, quiet, log_format)
    output.configure_logging(load_settings())
    ctx.obj = output


@app.command()
def optimize(
    ctx: typer.Context,
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
    time_budget: Annotated[
        float | None,
        typer.Option(help="Seconds spent on targets, hottest first (default 600, or time_budget in config)."),
    ] = None,
    max_targets: Annotated[
        int | None, typer.Option(help="At most this many targets per project (default: no cap).")
    ] = None,
    apply: Annotated[bool, typer.Option("--apply", help="Write accepted edits to the files.")] = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the JSON report here ('-': to stdout, alone).")
    ] = None,
    html_path: Annotated[
        Path | None, typer.Option("--html", help="Write the report as a self-contained HTML page here.")
    ] = None,
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
    self_check_all: Annotated[
        bool,
        typer.Option(
            "--self-check-all",
            hidden=True,  # for benchmarks: measures the self-check invariant on every target
            help="Also check targets without candidates against themselves (costs a warm pass each).",
        ),
    ] = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
    log_format: LogFormat = None,
) -> None:
    """Find, prove and (with --apply) write faster versions of the hot code under PATH."""
    settings = with_llm_flags(
        load_settings(), provider, model, base_url, temperature, max_tokens, token_budget
    )
    output = command_output(ctx, settings, verbose, quiet, log_format)
    if min_speedup is not None and min_speedup <= 0:
        raise InputError("--min-speedup must be positive, e.g. 1.05")
    if not path.exists():
        raise InputError(f"{path} does not exist; pass the directory or file to optimize")
    if time_budget is not None and time_budget <= 0:
        raise InputError("--time-budget must be a positive number of seconds, e.g. 600")
    if max_targets is not None and max_targets <= 0:
        raise InputError("--max-targets must be a positive number")
    if html_path is not None:
        require_matplotlib()  # before the run, not after it
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
        time_budget_s=time_budget or DEFAULT_TIME_BUDGET_S,
        time_budget_explicit=time_budget is not None,
        cwd=Path.cwd(),
        workers=settings.sandbox.workers,
    )
    box = build_sandbox(settings, sandbox)
    store = build_store(settings, db, path)
    llm = build_llm(settings, db or settings.database_url or default_database_url(path))
    strategies = request.strategies or default_strategies(llm)
    usage = (lambda: (len(llm.provider.records), llm.provider.tokens_spent)) if llm else None
    display = open_progress(Console(stderr=True), output.quiet, output.verbose > 0, usage)
    from optiagent.services.optimize import optimize as run_optimize

    with Interruption().installed() as interruption:
        try:
            with display:
                services = Services(
                    sandbox=box,
                    store=store,
                    generators=build_generators(strategies, llm),
                    progress=interruption.listener(display),
                    check=request.check,
                    bench=request.bench,
                    min_speedup=min_speedup or 1.05,
                    workers=request.workers,
                    self_check_all=self_check_all,
                )
                report = run_optimize(request, services, box.name)
            with interruption.deferred():  # begun, these complete before a Ctrl-C takes effect
                if apply:
                    outcome = apply_report(report, path)
                    for file, reason in outcome.refused:
                        err.print(f"[yellow]not applied to {file}: {reason}")
                    for target in report.targets:
                        if target.applied and target.edit_id:
                            store.mark_applied(target.edit_id)
                if json_path is not None:
                    write_json(json_path, report.to_json())
                if html_path is not None:
                    write_html(html_path, typed_report(report))
        finally:
            box.close()
            store.close()
    render_report(
        report_console(is_stdout(json_path)),
        report,
        show_diffs=diffs and not apply,
        quiet=output.quiet,
        verbose=output.verbose > 0,
    )
    problems = workload_problems(report)
    if problems:  # the report is written; the run gave nothing to optimize for a reason the user can fix
        for problem in problems:
            err.print(f"error: {problem}", style="red", markup=False)
        raise typer.Exit(2)


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
    for column in ("when", "run", "target", "speedup", "rules", "applied"):
        table.add_column(column)
    for edit in edits:
        table.add_row(
            edit.created_at.strftime("%Y-%m-%d %H:%M"),
            edit.run_id[:8],  # `optiagent report RUN` takes this start of the id
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
app.command("report")(report_command)
app.command("export")(export_command)
app.add_typer(schema_app, name="schema")


def main() -> None:
    try:
        code = app(standalone_mode=False)  # click returns (not raises) a typer.Exit's code here
        if isinstance(code, int) and code:
            sys.exit(code)
    except (InputError, ConfigError) as error:
        # one line however long (a terminal wraps it; a log keeps it whole); it may hold [brackets]
        err.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True)
        sys.exit(2)
    except StoreUnavailableError as error:
        err.print(f"[red]history store unavailable:[/red] {escape(str(error))}", soft_wrap=True)
        sys.exit(2)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort as abort:  # click turns a KeyboardInterrupt into an Abort
        sys.exit(EXIT_INTERRUPTED if isinstance(abort.__cause__, KeyboardInterrupt) else 1)
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:  # click's usage errors carry their own exit code
        code = getattr(error, "exit_code", None)
        if code is not None and hasattr(error, "show"):
            error.show()
            sys.exit(2)
        err.print_exception()
        sys.exit(1)
