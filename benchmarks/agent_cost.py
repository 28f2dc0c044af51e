"""What the LLM strategies cost: calls and tokens per target, and per accepted edit.

Runs against the fake vendor server on 127.0.0.1 (tests/fakes/llm_server.py) through the real
OpenAI SDK, with the scripted model of tests/fakes/llm_model.py (token counts ~ characters / 4 of
the real prompts, so relative costs are meaningful; absolute ones depend on a real model's verbosity).

1. Generation: every strategy's agent graph on the hottest functions of each example (static
   estimate), without validation, so every strategy does its full work. ReWOO is set against an
   interleaved (ReAct-style) loop over the same tools, which re-sends the growing transcript after
   every tool result: the token saving ReWOO was designed for.
2. Pipeline (skip with --skip-pipeline): `optiagent optimize` per strategy on a copy of examples/primes
   and examples/modmath limited to functions the scripted model knows a faster version of; tokens and
   calls per accepted edit come from the history store's LLM call log.

    python benchmarks/agent_cost.py [--per-project 2] [--skip-pipeline] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from optiagent.adapters.llm.openai_chat import OpenAIChatProvider  # noqa: E402
from optiagent.adapters.llm.retry import RetryPolicy  # noqa: E402
from optiagent.adapters.sandbox.local import LocalSandbox  # noqa: E402
from optiagent.adapters.store.llm_cache import SqlCompletionCache  # noqa: E402
from optiagent.agents.analysis import analyse  # noqa: E402
from optiagent.agents.graph import AgentRun, AgentSettings, run_agent  # noqa: E402
from optiagent.agents.llm import LLMOptions, LLMSession  # noqa: E402
from optiagent.agents.strategies.base import Work  # noqa: E402
from optiagent.agents.strategies.funcoder import FunCoderStrategy  # noqa: E402
from optiagent.agents.strategies.plansearch import PlanSearchStrategy  # noqa: E402
from optiagent.agents.strategies.rewoo import (  # noqa: E402
    TOOLS,
    ReWOOStrategy,
    Toolbox,
    parse_plan,
)
from optiagent.agents.strategies.sampling import SamplingStrategy  # noqa: E402
from optiagent.domain.targets import Target, TargetKind  # noqa: E402
from optiagent.ports.generator import TargetContext  # noqa: E402
from optiagent.rewrite.functions import list_functions  # noqa: E402
from optiagent.rewrite.locate import function_source  # noqa: E402
from optiagent.services.agent_ports import ProjectSearch, SandboxCodeRunner  # noqa: E402
from optiagent.verify.jobs import Evidence  # noqa: E402
from tests.fakes.llm_model import ScriptedModel  # noqa: E402
from tests.fakes.llm_server import FakeLLMServer  # noqa: E402

STRATEGIES: dict[str, Callable[[], Any]] = {
    "sampling": SamplingStrategy,
    "rewoo": ReWOOStrategy,
    "plansearch": PlanSearchStrategy,
    "funcoder": FunCoderStrategy,
}
PIPELINE_PROJECTS = ("primes", "modmath")
PIPELINE_FUNCTIONS = ("primes_below", "goldbach_pairs", "mod_power")


def hottest_targets(per_project: int) -> list[tuple[Path, Target, str]]:
    found: list[tuple[Path, Target, str]] = []
    for project in sorted(p for p in (REPO / "examples").iterdir() if (p / "pyproject.toml").is_file()):
        for path in sorted(project.glob("ex_*.py")):
            source = path.read_text()
            functions = sorted(list_functions(source), key=lambda f: -f.static_cost)[:per_project]
            for info in functions:
                kind = TargetKind.METHOD if "." in info.qualname else TargetKind.FUNCTION
                found.append(
                    (project, Target(path.name, info.qualname, kind, score=info.static_cost), source)
                )
    return found


def interleaved(session: LLMSession, work: Work) -> None:
    """A ReAct-style loop over ReWOO's tools: one model call per step, each re-sending the transcript."""
    tools = "\n".join(TOOLS.values())
    transcript = ""
    steps = parse_plan(
        session.ask(
            "rewoo.plan", temperature=0.5, problem=work.problem.text, function_name=work.name, tools=tools
        ).text
    )
    toolbox = Toolbox(work)
    for index, step in enumerate(steps):
        tool, _, rest = step.call.partition("[")
        observation = toolbox.call(tool.strip(), rest[:-1] if rest.endswith("]") else rest)
        transcript += f"Thought: {step.plan}\nAction: {step.call}\nObservation: {observation}\n"
        if index < len(steps) - 1:  # the next thought needs the whole transcript again
            session.ask(
                "rewoo.plan",
                temperature=0.5,
                sample=index + 1,
                problem=f"{work.problem.text}\n\n{transcript}",
                function_name=work.name,
                tools=tools,
            )
    session.ask(
        "rewoo.solve",
        temperature=0.5,
        problem=work.problem.text,
        function_name=work.name,
        evidence=transcript,
    )


def generation(server: FakeLLMServer, per_project: int) -> list[dict[str, Any]]:
    provider = OpenAIChatProvider(
        api_key="sk-bench", default_model="fake-1", base_url=server.openai_base_url, timeout_s=30,
        retry=RetryPolicy(max_attempts=2),
    )  # fmt: skip
    box = LocalSandbox()
    usage: dict[str, list[tuple[int, int]]] = defaultdict(list)
    try:
        for project, target, source in hottest_targets(per_project):
            evidence = Evidence(root=str(project), base_dir=".", module_name=Path(target.file).stem)
            context = TargetContext(
                module_source=source,
                target_source=function_source(source, target.qualname) or source,
                runner=SandboxCodeRunner(box, evidence),
                search=ProjectSearch(project),
            )
            for name, make in STRATEGIES.items():
                session = LLMSession(provider, LLMOptions("fake-1"))
                run_agent(AgentRun(target, context, session, make(), AgentSettings(max_repair_rounds=0)))
                usage[name].append((len(session.calls), session.tokens))
            session = LLMSession(provider, LLMOptions("fake-1"))
            interleaved(session, Work(target, context, session, analyse(target, context)))
            usage["interleaved (ReAct-style)"].append((len(session.calls), session.tokens))
    finally:
        box.close()
    rows = []
    for name, entries in usage.items():
        calls, tokens = sum(c for c, _ in entries), sum(t for _, t in entries)
        rows.append({"strategy": name, "targets": len(entries), "calls_per_target": calls / len(entries),
                     "tokens_per_target": tokens / len(entries)})  # fmt: skip
    return rows


def pipeline(server: FakeLLMServer) -> list[dict[str, Any]]:
    """One `optimize` per project and strategy (with --function, a directory of sub-projects would
    be optimized as a single project without its workloads), sharing one history database."""
    rows = []
    for name in STRATEGIES:
        with tempfile.TemporaryDirectory(prefix="agent-cost-") as scratch:
            db = f"sqlite:///{scratch}/history.db"
            functions = [arg for f in PIPELINE_FUNCTIONS for arg in ("--function", f)]
            targets: list[dict[str, Any]] = []
            started = time.perf_counter()
            for project in PIPELINE_PROJECTS:
                root = Path(scratch) / project
                shutil.copytree(REPO / "examples" / project, root)
                report_path = Path(scratch) / f"{project}.json"
                done = subprocess.run(
                    [sys.executable, "-m", "optiagent.cli", "optimize", str(root), "--provider", "openai",
                     "--model", "fake-1", "--base-url", server.openai_base_url, "--strategy", name,
                     "--json", str(report_path), "--db", db, "--sandbox", "local", *functions],
                    capture_output=True, text=True, timeout=1800, check=False, cwd=REPO,
                    env={**os.environ, "OPENAI_API_KEY": "sk-bench"},
                )  # fmt: skip
                if done.returncode != 0:
                    raise SystemExit(f"optimize with {name} failed:\n{done.stderr[-2000:]}")
                targets += json.loads(report_path.read_text())["targets"]
            wall = time.perf_counter() - started
            calls = SqlCompletionCache(db).calls()
        accepted = sum(t["status"] == "improved" for t in targets)
        tokens = sum(int(c["prompt_tokens"]) + int(c["completion_tokens"]) for c in calls if not c["cached"])  # type: ignore[call-overload]
        prompt = sum(int(c["prompt_tokens"]) for c in calls if not c["cached"])  # type: ignore[call-overload]
        rows.append({
            "strategy": name, "targets": len(targets), "accepted": accepted, "calls": len(calls),
            "tokens": tokens, "prompt_tokens": prompt, "completion_tokens": tokens - prompt,
            "tokens_per_accepted": tokens / accepted if accepted else None, "wall_s": round(wall, 1),
            "outcomes": {
                t["qualname"]: f"{t['status']}: {t['speedup'] or ''} {t['reason'][:160]}" for t in targets
            },
        })  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--per-project", type=int, default=2, help="hottest functions per example")
    parser.add_argument("--skip-pipeline", action="store_true")
    parser.add_argument("--prompt-price", type=float, default=0.15, help="$ per million prompt tokens")
    parser.add_argument(
        "--completion-price", type=float, default=0.60, help="$ per million completion tokens"
    )
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    console = Console()
    with FakeLLMServer(ScriptedModel()) as server:
        gen = generation(server, args.per_project)
        pipe = [] if args.skip_pipeline else pipeline(server)

    table = Table(title="LLM cost of generation per target (examples/, hottest functions, scripted model)")
    for column in ("strategy", "targets", "calls / target", "tokens / target"):
        table.add_column(column, justify="right" if column != "strategy" else "left")
    for row in gen:
        table.add_row(
            row["strategy"],
            str(row["targets"]),
            f"{row['calls_per_target']:.1f}",
            f"{row['tokens_per_target']:.0f}",
        )
    console.print(table)
    rewoo = next(r for r in gen if r["strategy"] == "rewoo")
    react = next(r for r in gen if r["strategy"].startswith("interleaved"))
    saving = 1 - rewoo["tokens_per_target"] / react["tokens_per_target"]
    console.print(
        f"ReWOO uses {saving:.0%} fewer tokens per target than the interleaved loop over the same tools"
    )
    if pipe:
        table = Table(title=f"Full pipeline on primes+modmath ({', '.join(PIPELINE_FUNCTIONS)}); cost at "
                            f"${args.prompt_price}/M prompt, ${args.completion_price}/M completion tokens")  # fmt: skip
        for column in (
            "strategy",
            "targets",
            "accepted",
            "calls",
            "tokens",
            "tokens / accepted",
            "cost / accepted $",
            "wall s",
        ):
            table.add_column(column, justify="right" if column != "strategy" else "left")
        for row in pipe:
            cost = (
                row["prompt_tokens"] * args.prompt_price + row["completion_tokens"] * args.completion_price
            ) / 1e6
            row["cost"] = cost
            row["cost_per_accepted"] = cost / row["accepted"] if row["accepted"] else None
            per = f"{row['tokens_per_accepted']:.0f}" if row["accepted"] else "-"
            per_cost = f"{row['cost_per_accepted']:.5f}" if row["accepted"] else "-"
            table.add_row(row["strategy"], str(row["targets"]), str(row["accepted"]), str(row["calls"]),
                          str(row["tokens"]), per, per_cost, str(row["wall_s"]))  # fmt: skip
        console.print(table)
    if args.json:
        args.json.write_text(
            json.dumps({"generation": gen, "rewoo_token_saving": saving, "pipeline": pipe}, indent=2)
        )


if __name__ == "__main__":
    main()
