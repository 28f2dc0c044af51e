"""Synthesis: fill in a stub with FunCoder and PlanSearch candidates and judge them with B4.

There is no original to compare with, so the judge is a passing matrix: every candidate against
tests the model writes from the specification plus the docstring's own examples, run in the
sandbox; B4 picks the consensus set most likely to be correct (algorithms.md section 3.5).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from optiagent.agents.analysis import Problem
from optiagent.agents.consensus import assertion_expressions
from optiagent.agents.graph import AgentRun, AgentSettings, run_agent
from optiagent.agents.llm import LLMSession
from optiagent.agents.parsing import code_lines, is_stub
from optiagent.agents.strategies.base import Strategy
from optiagent.domain.selection import PassMatrix, rank_b4
from optiagent.domain.targets import Target
from optiagent.ports.generator import CodeRunner, TargetContext

MAX_TESTS = 20


def is_stub_source(function: str) -> bool:
    """A def whose body is only a docstring, `...`, `pass` or `raise NotImplementedError`."""
    try:
        node = ast.parse(function.strip()).body[0]
    except (SyntaxError, IndexError):
        return False
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and is_stub(node)


def test_expressions(lines: Sequence[str]) -> list[str]:
    """`assert a == b` lines as boolean expressions `(a) == (b)`; other lines dropped."""
    found: list[str] = []
    for line in lines:
        try:
            node = ast.parse(line.strip()).body[0]
        except (SyntaxError, IndexError):
            continue
        if isinstance(node, ast.Assert):
            expression = ast.unparse(node.test)
            if expression not in found:
                found.append(expression)
    return found[:MAX_TESTS]


@dataclass(frozen=True)
class Judged:
    sources: list[str]  # candidate modules, best first (B4 order)
    tests: list[str]
    rows: list[tuple[int, ...]]
    best_passes: int


def generated_tests(session: LLMSession, stub: str, name: str) -> list[str]:
    reply = session.ask("synthesize.tests", temperature=0.2, stub=stub, function_name=name)
    return test_expressions(code_lines(reply.text))


def judge_b4(runner: CodeRunner, sources: Sequence[str], tests: Sequence[str]) -> Judged:
    if not sources:
        return Judged([], list(tests), [], 0)
    rows_raw = runner.run_calls(sources, tests) if tests else [[] for _ in sources]
    rows = [tuple(int(result.output == "True") for result in row) for row in rows_raw]
    ranking = rank_b4(PassMatrix.from_rows(rows, n_tests=len(tests)))
    order = [index for group in ranking for index in group.members]
    return Judged([sources[i] for i in order], list(tests), [rows[i] for i in order], sum(rows[order[0]]))


def synthesis_problem(name: str, stub: str, module: str) -> Problem:
    text = (
        f"The function `{name}` is only a stub: implement it so that it does exactly what its docstring "
        f"specifies, efficiently.\n```python\n{stub.strip()}\n```\n\nThe module it lives in:\n"
        f"```python\n{module.strip()[:6000]}\n```"
    )
    return Problem(name, text, 0)


def synthesize_candidates(
    target: Target, context: TargetContext, session: LLMSession, strategies: Sequence[Strategy]
) -> tuple[list[str], list[str]]:
    """Candidate modules from each strategy (no validator: there is no original), and notes."""
    sources: list[str] = []
    notes: list[str] = []
    for strategy in strategies:
        outcome = run_agent(
            AgentRun(
                target,
                context,
                session,
                strategy,
                AgentSettings(max_repair_rounds=0, max_candidates=8),
                problem=synthesis_problem(
                    target.qualname.split(".")[-1], context.target_source, context.module_source
                ),
            )
        )
        sources += [c.source for c in outcome.candidates if c.source not in sources]
        notes += outcome.notes
        if outcome.error is not None:
            break
    return sources, notes


def docstring_tests(examples: Sequence[tuple[str, str]]) -> list[str]:
    return assertion_expressions(examples)
