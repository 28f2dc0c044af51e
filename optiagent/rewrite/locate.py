"""Find a function or method in a module by qualified name, and the exact text it occupies."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

_NESTED_BLOCK_STATEMENTS = (cst.If, cst.Try, cst.TryStar, cst.With)


def _block_statements(node: cst.CSTNode) -> list[cst.BaseStatement]:
    """Statements that define names in the same scope as `node` (bodies of if/try/with, recursively)."""
    found: list[cst.BaseStatement] = []
    for child in node.children:
        if isinstance(child, cst.IndentedBlock):
            found.extend(child.body)
        elif isinstance(child, (cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.If)):
            found.extend(_block_statements(child))
    return found


def _scope_statements(body: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
    found: list[cst.BaseStatement] = []
    for statement in body:
        found.append(statement)
        if isinstance(statement, _NESTED_BLOCK_STATEMENTS):
            found.extend(_scope_statements(_block_statements(statement)))
    return found


def _find_in(body: Sequence[cst.BaseStatement], parts: list[str]) -> cst.FunctionDef | None:
    head, rest = parts[0], parts[1:]
    for statement in _scope_statements(body):
        if not rest and isinstance(statement, cst.FunctionDef) and statement.name.value == head:
            return statement
        if rest and isinstance(statement, cst.ClassDef) and statement.name.value == head:
            inner = statement.body
            if isinstance(inner, cst.IndentedBlock):
                found = _find_in(inner.body, rest)
                if found is not None:
                    return found
    return None


def find_function(module: cst.Module, qualname: str) -> cst.FunctionDef | None:
    """The def named `qualname` ("f", "Class.method", "Outer.Inner.method"), or None."""
    parts = qualname.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    return _find_in(module.body, parts)


def _line_offsets(source: str) -> list[int]:
    """Character offset at which each line (1-based index - 1) starts, plus the end of the text."""
    offsets = [0]
    position = source.find("\n")
    while position != -1:
        offsets.append(position + 1)
        position = source.find("\n", position + 1)
    if offsets[-1] != len(source):
        offsets.append(len(source))
    return offsets


def function_span(source: str, qualname: str) -> tuple[int, int] | None:
    """Character offsets [start, end) of the whole lines holding the def (decorators included)."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    function = find_function(module, qualname)
    if function is None:
        return None
    positions = wrapper.resolve(PositionProvider)
    first: cst.CSTNode = function.decorators[0] if function.decorators else function
    start_line = positions[first].start.line
    end_line = positions[function].end.line
    offsets = _line_offsets(source)
    end = offsets[end_line] if end_line < len(offsets) else len(source)
    return offsets[start_line - 1], end


def function_source(source: str, qualname: str) -> str | None:
    """The exact original text of the def named `qualname`, with its decorators, or None."""
    span = function_span(source, qualname)
    if span is None:
        return None
    return source[span[0] : span[1]]
