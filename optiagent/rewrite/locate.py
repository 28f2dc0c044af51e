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


_LOCALS = "<locals>"


def _find_in(body: Sequence[cst.BaseStatement], parts: list[str]) -> cst.FunctionDef | None:
    head, rest = parts[0], parts[1:]
    nested = len(rest) >= 2 and rest[0] == _LOCALS
    for statement in _scope_statements(body):
        if not rest and isinstance(statement, cst.FunctionDef) and statement.name.value == head:
            return statement
        inner_parts = rest[1:] if nested else rest
        if isinstance(statement, cst.FunctionDef) and nested and statement.name.value == head:
            found = _find_in_block(statement.body, inner_parts)
            if found is not None:
                return found
        if rest and not nested and isinstance(statement, cst.ClassDef) and statement.name.value == head:
            found = _find_in_block(statement.body, inner_parts)
            if found is not None:
                return found
    return None


def _find_in_block(block: cst.BaseSuite, parts: list[str]) -> cst.FunctionDef | None:
    return _find_in(block.body, parts) if isinstance(block, cst.IndentedBlock) else None


def find_function(module: cst.Module, qualname: str) -> cst.FunctionDef | None:
    """The def named `qualname` ("f", "Class.method", "Outer.Inner.method", or a nested function
    as the compiler names it: "f.<locals>.repl"), or None."""
    parts = qualname.split(".")
    if not all(part.isidentifier() or part == _LOCALS for part in parts) or parts[-1] == _LOCALS:
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


_SCOPE_CONTAINERS = (
    cst.Module, cst.IndentedBlock, cst.If, cst.Else, cst.Try, cst.TryStar, cst.ExceptHandler,
    cst.ExceptStarHandler, cst.Finally, cst.With,
)  # fmt: skip


class _ReplaceAlongPath(cst.CSTTransformer):
    """Replaces one def, descending only into the blocks and the classes/defs on its qualname's path
    (`Module.deep_replace` visits every node: about a second per replacement in a 6,000-line module)."""

    def __init__(self, old: cst.FunctionDef, new: cst.CSTNode, path: list[str]) -> None:
        super().__init__()
        self.old, self.new, self.path = old, new, path
        self.entered: list[cst.CSTNode] = []
        self.replaced = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node is self.old:
            return False
        if isinstance(node, (cst.ClassDef, cst.FunctionDef)):
            depth = len(self.entered)
            if depth < len(self.path) and node.name.value == self.path[depth]:
                self.entered.append(node)
                return True
            return False
        return isinstance(node, _SCOPE_CONTAINERS)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:  # type: ignore[override]
        if original_node is self.old:
            self.replaced = True
            return self.new
        if self.entered and original_node is self.entered[-1]:
            self.entered.pop()
        return updated_node


def replace_function(
    module: cst.Module, qualname: str, old: cst.FunctionDef, new: cst.FunctionDef
) -> cst.Module:
    """`module` with the def `old` (found by `find_function(module, qualname)`) replaced by `new`."""
    path = [part for part in qualname.split(".")[:-1] if part != _LOCALS]
    replacer = _ReplaceAlongPath(old, new, path)
    updated = cst.ensure_type(module.visit(replacer), cst.Module)
    if not replacer.replaced:  # not where the qualname says (never expected): the slow, sure way
        return cst.ensure_type(module.deep_replace(old, new), cst.Module)
    return updated
