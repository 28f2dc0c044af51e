"""Lines of a pull request's diff and the functions they touch.

GitHub accepts review comments only on lines inside the diff's hunks (RIGHT side: added or context
lines of the head); a function changed by the pull request is one with an added line, or a deletion,
in its body on the head side.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Hunk:
    old_start: int
    new_start: int
    lines: tuple[str, ...]  # each with its marker: ' ', '-', '+' ('\\' lines dropped)


@dataclass(frozen=True)
class DiffLines:
    """One file's RIGHT-side lines in the pull request's diff."""

    in_hunks: frozenset[int]  # added or context: where a review comment may go
    changed: frozenset[int]  # added, or where a deletion happened


@dataclass(frozen=True)
class FunctionSpan:
    qualname: str
    def_line: int  # the `def` line (annotations go here)
    start: int  # first line, decorators included
    end: int


def parse_hunks(patch: str) -> list[Hunk]:
    """The hunks of a unified diff (a file's GitHub `patch`, or a whole-file diff with headers)."""
    hunks: list[Hunk] = []
    current: list[str] | None = None
    old_start = new_start = 0
    for line in patch.splitlines():
        match = HUNK.match(line)
        if match:
            if current is not None:
                hunks.append(Hunk(old_start, new_start, tuple(current)))
            old_start, new_start, current = int(match[1]), int(match[3]), []
        elif current is not None and line[:1] in (" ", "-", "+"):
            current.append(line)
        elif current is not None and line == "":  # a blank context line some tools strip to ""
            current.append(" ")
    if current is not None:
        hunks.append(Hunk(old_start, new_start, tuple(current)))
    return hunks


def diff_lines(patch: str | None) -> DiffLines:
    in_hunks: set[int] = set()
    changed: set[int] = set()
    for hunk in parse_hunks(patch or ""):
        right = hunk.new_start
        for line in hunk.lines:
            marker = line[0]
            if marker == "+":
                in_hunks.add(right)
                changed.add(right)
                right += 1
            elif marker == " ":
                in_hunks.add(right)
                right += 1
            else:  # a deletion: the function around the head line at this point changed
                changed.add(max(right, 1))
                if right > hunk.new_start:
                    changed.add(right - 1)
    return DiffLines(frozenset(in_hunks), frozenset(changed))


def function_spans(source: str) -> list[FunctionSpan]:
    """Top-level functions and methods of classes (nested functions belong to their enclosing one:
    the pipeline optimizes only those)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    spans: list[FunctionSpan] = []

    def visit(body: Iterable[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([d.lineno for d in node.decorator_list] + [node.lineno])
                end = node.end_lineno or node.lineno
                spans.append(FunctionSpan(f"{prefix}{node.name}", node.lineno, start, end))
            elif isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    return spans


def changed_functions(source: str, lines: DiffLines) -> list[FunctionSpan]:
    """Functions of the head's `source` with a changed line, in file order."""
    return [
        span
        for span in function_spans(source)
        if any(span.start <= line <= span.end for line in lines.changed)
    ]
