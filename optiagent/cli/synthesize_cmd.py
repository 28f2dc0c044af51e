"""`optiagent synthesize FILE::FUNCTION`: fill in a stub with LLM candidates judged by B4, then optimize."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from optiagent.bootstrap import build_generators, build_llm, build_sandbox, build_store, default_database_url
from optiagent.cli.interrupts import Interruption
from optiagent.cli.llm_flags import with_llm_flags
from optiagent.cli.output import (
    LogFormat,
    Quiet,
    Verbose,
    command_output,
    is_stdout,
    report_console,
    write_json,
)
from optiagent.cli.progress import open_progress
from optiagent.cli.render import diff_view
from optiagent.domain.edits import unified_diff
from optiagent.domain.errors import InputError
from optiagent.extras import require_extra
from optiagent.services.optimize import optimize
from optiagent.services.requests import OptimizeRequest
from optiagent.services.target_run import Services
from optiagent.settings import load_settings

SYNTHESIS_STRATEGIES = ("funcoder", "plansearch")
# The optimization pass after synthesis: the catalogue plus the cheapest LLM strategy.
OPTIMIZE_STRATEGIES = ("catalogue", "rewoo")


def synthesize_command(
    ctx: typer.Context,
    spec: Annotated[str, typer.Argument(help="FILE::FUNCTION of a stub (signature + docstring).")],
    strategy: Annotated[
        list[str], typer.Option("--strategy", help="funcoder and/or plansearch (repeatable).")
    ] = [],  # noqa: B006
    provider: Annotated[str | None, typer.Option(help="openai, anthropic or openai-compatible.")] = None,
    model: Annotated[str | None, typer.Option(help="LLM model name.")] = None,
    base_url: Annotated[str | None, typer.Option(help="LLM server URL.")] = None,
    temperature: Annotated[float | None, typer.Option(help="LLM sampling temperature.")] = None,
    max_tokens: Annotated[int | None, typer.Option(help="LLM max tokens per completion.")] = None,
    token_budget: Annotated[int | None, typer.Option(help="LLM tokens this run may spend.")] = None,
    optimize_after: Annotated[
        bool, typer.Option("--optimize/--no-optimize", help="Optimize the synthesized body.")
    ] = True,
    apply: Annotated[bool, typer.Option("--apply", help="Write the result into FILE.")] = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write a JSON summary here ('-': to stdout, alone).")
    ] = None,
    db: Annotated[str | None, typer.Option(help="History database URL.")] = None,
    sandbox: Annotated[str | None, typer.Option(help="auto, docker or local.")] = None,
    verbose: Verbose = 0,
    quiet: Quiet = False,
    log_format: LogFormat = None,
) -> None:
    """Fill in the body of a stub with FunCoder/PlanSearch candidates judged by B4, then optimize it."""
    require_extra("llm", "optiagent synthesize")
    # langgraph and the SDKs load only when this command runs (they take seconds to import)
    from optiagent.agents.generator import LLM_STRATEGIES
    from optiagent.agents.llm import LLMOptions, LLMSession
    from optiagent.services.synthesize import SynthesizeRequest, parse_spec, synthesize

    file, qualname = parse_spec(spec)
    names = tuple(strategy) or SYNTHESIS_STRATEGIES
    unknown = [name for name in names if name not in SYNTHESIS_STRATEGIES]
    if unknown:
        raise InputError(f"synthesize uses {' and '.join(SYNTHESIS_STRATEGIES)}, not {', '.join(unknown)}")
    settings = with_llm_flags(
        load_settings(), provider, model, base_url, temperature, max_tokens, token_budget
    )
    output = command_output(ctx, settings, verbose, quiet, log_format)
    if settings.llm.provider == "none":
        raise InputError(
            "synthesize needs an LLM provider (the offline catalogue cannot write code from a "
            "docstring): pass --provider openai|anthropic|openai-compatible, or set OPTIAGENT_LLM__PROVIDER"
        )
    url = db or settings.database_url or default_database_url(file)
    llm = build_llm(settings, url)
    assert llm is not None
    box = build_sandbox(settings, sandbox)
    store = build_store(settings, db, file)
    usage = lambda: (len(llm.provider.records), llm.provider.tokens_spent)  # noqa: E731
    display = open_progress(Console(stderr=True), output.quiet, output.verbose > 0, usage)
    with Interruption().installed() as interruption:
        try:
            session = LLMSession(llm.provider, LLMOptions(llm.model, llm.temperature, llm.max_tokens))
            request = OptimizeRequest(root=file)
            with display:
                progress = interruption.listener(display)
                services = Services(
                    sandbox=box,
                    store=store,
                    generators=build_generators(OPTIMIZE_STRATEGIES, llm),
                    progress=progress,
                    check=request.check,
                    bench=request.bench,
                    min_speedup=1.05,
                    workers=settings.sandbox.workers,
                )
                result = synthesize(
                    SynthesizeRequest(file, qualname, optimize=optimize_after, apply=apply),
                    box,
                    session,
                    [LLM_STRATEGIES[name]() for name in names],
                    lambda optimize_request: optimize(optimize_request, services, box.name),
                    progress,
                )
            if json_path is not None:
                with interruption.deferred():
                    write_json(json_path, result.to_json())
        finally:
            box.close()
            store.close()
    console = report_console(is_stdout(json_path))
    if output.quiet:
        console.print(
            f"{qualname}: {'synthesized' if result.final else 'not synthesized'}",
            markup=False,
            highlight=False,
        )
    elif result.final is None:
        console.print(f"[red]no implementation of {qualname} was found[/red]: " + "; ".join(result.notes))
    else:
        console.print(
            f"{qualname}: {result.candidates} candidates, best passes {result.passed} of "
            f"{len(result.tests)} tests; {result.llm_calls} LLM calls, {result.llm_tokens} tokens"
        )
        for note in result.notes:
            console.print(f"  {note}")
        if not result.written:
            diff = unified_diff(result.original, result.final, str(file))
            console.print(diff_view(diff))
