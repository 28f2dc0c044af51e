"""`optiagent synthesize FILE::FUNCTION`: fill in a stub with LLM candidates judged by B4, then optimize."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from optiagent.bootstrap import build_generators, build_llm, build_sandbox, build_store, default_database_url
from optiagent.cli.llm_flags import with_llm_flags
from optiagent.domain.edits import unified_diff
from optiagent.domain.errors import InputError
from optiagent.services.optimize import optimize
from optiagent.services.requests import OptimizeRequest, SilentProgress
from optiagent.services.target_run import Services
from optiagent.settings import load_settings

SYNTHESIS_STRATEGIES = ("funcoder", "plansearch")
# The optimization pass after synthesis: the catalogue plus the cheapest LLM strategy.
OPTIMIZE_STRATEGIES = ("catalogue", "rewoo")


def synthesize_command(
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
    json_path: Annotated[Path | None, typer.Option("--json", help="Write a JSON summary here.")] = None,
    db: Annotated[str | None, typer.Option(help="History database URL.")] = None,
    sandbox: Annotated[str | None, typer.Option(help="auto, docker or local.")] = None,
) -> None:
    """Fill in the body of a stub with FunCoder/PlanSearch candidates judged by B4, then optimize it."""
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
    try:
        session = LLMSession(llm.provider, LLMOptions(llm.model, llm.temperature, llm.max_tokens))
        request = OptimizeRequest(root=file)
        services = Services(
            sandbox=box,
            store=store,
            generators=build_generators(OPTIMIZE_STRATEGIES, llm),
            progress=SilentProgress(),
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
        )
    finally:
        box.close()
        store.close()
    console = Console()
    if result.final is None:
        console.print(f"[red]no implementation of {qualname} was found[/red]: " + "; ".join(result.notes))
    else:
        console.print(
            f"{qualname}: {result.candidates} candidates, best passes {result.passed} of "
            f"{len(result.tests)} tests; {result.llm_calls} LLM calls, {result.llm_tokens} tokens"
        )
        for note in result.notes:
            console.print(f"  {note}")
        if not result.written:
            console.print(
                unified_diff(result.original, result.final, str(file)), markup=False, highlight=False
            )
    if json_path is not None:
        json_path.write_text(json.dumps(result.to_json(), indent=2), encoding="utf-8")
