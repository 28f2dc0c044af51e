"""Functional consensus over sandboxed runs: candidates that agree with the others win (section 6.4)."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from optiagent.domain.selection import score_functional_consensus
from optiagent.ports.generator import CodeRunner

MAX_CALLS = 12


def usable_calls(lines: Sequence[str], name: str) -> list[str]:
    """Lines that are single expressions calling `name` (asserts become their call)."""
    calls: list[str] = []
    for line in lines:
        text = line.strip()
        try:
            node = ast.parse(text).body[0]
        except (SyntaxError, IndexError):
            continue
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
            text = ast.unparse(node.test.left)
        elif not isinstance(node, ast.Expr):
            continue
        if name in text and text not in calls:
            calls.append(text)
    return calls[:MAX_CALLS]


def assertion_expressions(examples: Sequence[tuple[str, str]]) -> list[str]:
    """Docstring examples as boolean expressions: `(call) == (expected)`."""
    return [f"({call}) == ({expected})" for call, expected in examples]


def consensus_scores(
    runner: CodeRunner, programs: Sequence[str], calls: Sequence[str], unit_tests: Sequence[str] = ()
) -> list[int]:
    """FunCoder's score per program: agreement on `calls`, minus penalties for failed unit tests."""
    rows = runner.run_calls(programs, [*calls, *unit_tests])
    outputs = [[result.output for result in row[: len(calls)]] for row in rows]
    failed = [any(result.output != "True" for result in row[len(calls) :]) for row in rows]
    return score_functional_consensus(outputs, failed)
