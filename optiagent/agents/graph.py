"""The agent graph (LangGraph): analyse -> plan -> generate -> validate -> [repair -> validate]* -> select.

Nodes are small functions over the state; the strategy (plansearch, rewoo, funcoder, sampling)
fills in plan and generate; validation goes through the `CandidateValidator` port (the service's
batched sandbox check), and repair feeds the shrunk counterexample or the timing back to the model
for a bounded number of rounds. Benchmarking, the final choice and recording happen in the service
that called the generator (services/target_run.py), on the candidates `select` returns.
The graph is compiled once per process.

An outage or a spent budget stops the graph where it is: what was drafted so far still goes
through validation and selection, and the reason is kept in `stopped`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from optiagent.agents.analysis import Problem, analyse
from optiagent.agents.llm import LLMSession
from optiagent.agents.strategies.base import Draft, Strategy, Work, draft_from
from optiagent.domain.candidates import Candidate
from optiagent.domain.targets import Target
from optiagent.ports.generator import TargetContext, Validation
from optiagent.ports.llm import LLMError
from optiagent.rewrite.locate import function_source


@dataclass(frozen=True)
class AgentSettings:
    max_repair_rounds: int = 2
    repair_width: int = 2  # drafts repaired per round
    good_enough: float = 1.5  # a validated candidate this fast (timing hint) ends repair early
    max_candidates: int = 6


@dataclass
class AgentRun:
    """The graph's input: what to work on and with what."""

    target: Target
    context: TargetContext
    session: LLMSession
    strategy: Strategy
    settings: AgentSettings = field(default_factory=AgentSettings)
    problem: Problem | None = None  # a ready problem statement (synthesis); else analysed from the context


class AgentState(TypedDict, total=False):
    run: AgentRun
    work: Work
    plan: object
    drafts: list[Draft]
    pending: list[Draft]
    validations: dict[str, Validation]  # by module text
    round: int
    repaired: list[str]  # drafts (module or answer text) already sent to repair
    stopped: str  # why the graph stopped early ("" when it did not)
    error: LLMError | None
    candidates: list[Candidate]
    notes: list[str]


Update = dict[str, Any]


class Node(Protocol):
    def __call__(self, state: AgentState) -> Update: ...


def _guarded(step: Callable[[AgentState], Update]) -> Node:
    """LLM errors end the graph's LLM work; the state keeps what was done so far."""

    def node(state: AgentState) -> Update:
        try:
            return step(state)
        except LLMError as error:
            return {"stopped": f"{type(error).__name__}: {error}", "error": error}

    node.__name__ = step.__name__
    return node


def analyse_node(state: AgentState) -> Update:
    run = state["run"]
    problem = run.problem or analyse(run.target, run.context)
    work = Work(run.target, run.context, run.session, problem)
    return {
        "work": work,
        "drafts": [],
        "pending": [],
        "validations": {},
        "round": 0,
        "stopped": "",
        "error": None,
    }


def plan_node(state: AgentState) -> Update:
    return {"plan": state["run"].strategy.plan(state["work"])}


def generate_node(state: AgentState) -> Update:
    drafts = state["run"].strategy.generate(state["work"], state.get("plan"))
    return {"drafts": [*state["drafts"], *drafts], "pending": drafts}


def validate_node(state: AgentState) -> Update:
    validator = state["run"].context.validator
    modules = list(dict.fromkeys(d.module for d in state["pending"] if d.module is not None))
    fresh = [m for m in modules if m not in state["validations"]]
    if validator is None or not fresh:
        return {"pending": []}
    results = validator.validate(fresh)
    return {"validations": {**state["validations"], **dict(zip(fresh, results, strict=True))}, "pending": []}


def _repair_feedback(draft: Draft, validations: dict[str, Validation]) -> str | None:
    if draft.module is None:
        return f"The answer could not be used: {draft.error}" if draft.answer else None
    result = validations.get(draft.module)
    if result is None:
        return None
    if not result.equivalent:
        return f"Verdict: {result.verdict}. {result.feedback}".strip()
    if result.speedup_hint is not None and result.speedup_hint < 1.05:
        return (
            f"Verdict: equivalent, but a first timing showed {result.speedup_hint:.2f}x the original's "
            "speed: it is not faster. Find an algorithmic improvement."
        )
    return None


def needs_repair(state: AgentState) -> str:
    settings = state["run"].settings
    if state.get("stopped") or state["round"] >= settings.max_repair_rounds:
        return "select"
    validations = state["validations"]
    if state["run"].context.validator is None:
        return "select"
    for result in validations.values():
        if result.equivalent and (result.speedup_hint or 0.0) >= settings.good_enough:
            return "select"
    if _repairable(state):
        return "repair"
    return "select"


def _repairable(state: AgentState) -> list[tuple[Draft, str]]:
    """Drafts with feedback that were not repaired before, newest first, one per distinct text."""
    done = set(state.get("repaired", []))
    found: list[tuple[Draft, str]] = []
    for draft in reversed(state["drafts"]):
        key = draft.module or draft.answer
        feedback = _repair_feedback(draft, state["validations"])
        if feedback and key not in done:
            done.add(key)
            found.append((draft, feedback))
    return found


def repair_node(state: AgentState) -> Update:
    run, work = state["run"], state["work"]
    chosen = _repairable(state)[: run.settings.repair_width]
    marked = [*state.get("repaired", []), *(draft.module or draft.answer for draft, _ in chosen)]
    repaired: list[Draft] = []
    for sample, (draft, feedback) in enumerate(chosen):
        attempt = function_source(draft.module, run.target.qualname) if draft.module else None
        reply = work.session.ask(
            "optimize.repair",
            temperature=0.2,
            sample=state["round"] * 100 + sample,
            problem=work.problem.text,
            function_name=work.name,
            attempt=attempt or draft.answer,
            feedback=feedback,
        )
        repaired.append(draft_from(work, draft.strategy, reply, repair_round=state["round"] + 1))
    return {
        "drafts": [*state["drafts"], *repaired],
        "pending": repaired,
        "round": state["round"] + 1,
        "repaired": marked,
    }


def select_node(state: AgentState) -> Update:
    """Validated candidates, fastest first by the timing hint; a few rejected ones for the record."""
    run, validations = state["run"], state.get("validations", {})
    seen: set[str] = set()
    passed: list[tuple[float, Candidate]] = []
    unchecked: list[Candidate] = []
    rejected: list[Candidate] = []
    notes: list[str] = []
    for draft in state.get("drafts", []):
        if draft.module is None:
            notes.append(f"{draft.strategy}: {draft.error}")
            continue
        if draft.module in seen:
            continue
        seen.add(draft.module)
        result = validations.get(draft.module)
        details = dict(draft.provenance)
        if result is not None:
            details["agent_verdict"] = result.verdict
        candidate = Candidate(source=draft.module, strategy=draft.strategy, provenance=details)
        if result is None:
            unchecked.append(candidate)
        elif result.equivalent:
            passed.append((result.speedup_hint or 1.0, candidate))
        else:
            rejected.append(candidate)
    passed.sort(key=lambda pair: -pair[0])
    chosen = [c for _, c in passed] + unchecked
    chosen = chosen[: run.settings.max_candidates] + rejected[:3]
    if state.get("stopped"):
        notes.append(f"stopped early: {state['stopped']}")
    return {"candidates": chosen, "notes": notes}


def _after_llm_step(state: AgentState) -> str:
    return "validate" if state.get("stopped") else "continue"


@cache
def agent_graph() -> CompiledStateGraph[AgentState, None, AgentState, AgentState]:
    graph = StateGraph(AgentState)
    graph.add_node("analyse", analyse_node)
    graph.add_node("plan", _guarded(plan_node))
    graph.add_node("generate", _guarded(generate_node))
    graph.add_node("validate", validate_node)
    graph.add_node("repair", _guarded(repair_node))
    graph.add_node("select", select_node)
    graph.add_edge(START, "analyse")
    graph.add_edge("analyse", "plan")
    graph.add_conditional_edges("plan", _after_llm_step, {"continue": "generate", "validate": "validate"})
    graph.add_edge("generate", "validate")
    graph.add_conditional_edges("validate", needs_repair, {"repair": "repair", "select": "select"})
    graph.add_edge("repair", "validate")
    graph.add_edge("select", END)
    return graph.compile()


@dataclass(frozen=True)
class AgentOutcome:
    candidates: list[Candidate]
    notes: list[str]
    stopped: str
    error: LLMError | None
    drafts: int


def run_agent(run: AgentRun) -> AgentOutcome:
    final = agent_graph().invoke({"run": run})
    return AgentOutcome(
        candidates=list(final.get("candidates", [])),
        notes=list(final.get("notes", [])),
        stopped=str(final.get("stopped", "")),
        error=final.get("error"),
        drafts=len(final.get("drafts", [])),
    )
