"""Reading model output: fenced code blocks, Python list literals, and functions spliced into modules."""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

from optiagent.rewrite.locate import function_source
from optiagent.rewrite.splice import splice_function

FENCE = re.compile(r"```[ \t]*([\w+-]*)[^\n]*\n(.*?)```", re.DOTALL)


class DraftError(ValueError):
    """Model output that cannot become a candidate; the message says why (shown in the report)."""


def code_blocks(text: str) -> list[str]:
    """Bodies of fenced blocks tagged python/py or untagged, in order."""
    return [body for tag, body in FENCE.findall(text) if tag.lower() in ("", "python", "py", "python3")]


def parse_string_list(text: str) -> list[str]:
    """The last fenced block (or the whole text) as a Python list of strings, via literal_eval."""
    blocks = code_blocks(text)
    for candidate in [*reversed(blocks), text]:
        try:
            value = ast.literal_eval(candidate.strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            return [item.strip() for item in value if item.strip()]
    raise DraftError("the answer is not a Python list of strings")


def code_lines(text: str) -> list[str]:
    """Non-empty, non-comment lines of the fenced blocks (e.g. one call or assert per line)."""
    lines: list[str] = []
    for block in code_blocks(text) or [text]:
        lines.extend(line.strip() for line in block.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def first_code(text: str) -> str:
    blocks = code_blocks(text)
    if not blocks:
        raise DraftError("the answer has no ```python code block")
    return "\n".join(blocks)


@dataclass(frozen=True)
class ParsedCode:
    function: str  # source of the target's new def (decorators included)
    helpers: tuple[tuple[str, str], ...]  # (name, source) of other top-level defs and classes
    imports: tuple[str, ...]  # top-level import statements
    stubs: tuple[str, ...]  # names of helpers left unimplemented


def _segment(code: str, node: ast.stmt) -> str:
    lines = code.splitlines()
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return "\n".join(lines[start - 1 : node.end_lineno]) + "\n"


def is_stub(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body of only a docstring, `...`, `pass` or `raise NotImplementedError`."""
    for statement in node.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # docstring or `...`
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Raise) and statement.exc is not None:
            exc = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                continue
        return False
    return True


def parse_function_code(code: str, name: str) -> ParsedCode:
    """Split model code into the def of `name`, helper defs and imports; DraftError when unusable."""
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        raise DraftError(f"syntax error in the model's code: {error.msg} (line {error.lineno})") from None
    function: str | None = None
    helpers: list[tuple[str, str]] = []
    imports: list[str] = []
    stubs: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            if is_stub(node):
                raise DraftError(f"`{name}` is left unimplemented")
            function = _segment(code, node)
        elif isinstance(node, ast.ClassDef) and any(
            isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name == name
            for item in node.body
        ):
            method = next(
                item
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name == name
            )
            function = _segment(code, method)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and is_stub(node):
                stubs.append(node.name)
            helpers.append((node.name, _segment(code, node)))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            imports.append(_segment(code, node))
    if function is None:
        raise DraftError(f"the model's code defines no function named `{name}`")
    return ParsedCode(function, tuple(helpers), tuple(imports), tuple(stubs))


def _parameters(function: str) -> list[str]:
    node = ast.parse(_dedent(function)).body[0]
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    args = node.args
    names = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
    names += [f"*{args.vararg.arg}"] if args.vararg else []
    names += [f"**{args.kwarg.arg}"] if args.kwarg else []
    return names


def _dedent(text: str) -> str:
    return textwrap.dedent(text)


def splice_draft(module_source: str, qualname: str, parsed: ParsedCode) -> str:
    """The module with the target replaced and new helpers and imports placed before it."""
    original = function_source(module_source, qualname)
    if original is None:
        raise DraftError(f"`{qualname}` is not in the module")
    if _parameters(_dedent(original)) != _parameters(_dedent(parsed.function)):
        raise DraftError(f"the model changed the signature of `{qualname.split('.')[-1]}`")
    if parsed.stubs:
        raise DraftError(f"helpers left unimplemented: {', '.join(parsed.stubs)}")
    spliced = splice_function(module_source, qualname, _dedent(parsed.function))
    if spliced is None:
        raise DraftError("the new function does not fit into the module")
    existing = {
        node.name: ast.get_source_segment(module_source, node)
        for node in ast.parse(module_source).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    additions: list[str] = [text for text in parsed.imports if text.strip() not in module_source]
    for name, text in parsed.helpers:
        if name in existing:
            if (existing[name] or "").strip() != text.strip():
                raise DraftError(f"helper `{name}` would replace a different function of the module")
            continue
        additions.append(text)
    if not additions:
        return spliced
    return _insert_before_target(spliced, qualname.split(".")[0], "\n".join(additions))


def _insert_before_target(source: str, top_name: str, text: str) -> str:
    tree = ast.parse(source)
    node = next(
        n
        for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and n.name == top_name
    )
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    lines = source.splitlines(keepends=True)
    block = text.rstrip("\n") + "\n\n\n"
    result = "".join(lines[: first - 1]) + block + "".join(lines[first - 1 :])
    ast.parse(result)
    return result


def draft_module(module_source: str, qualname: str, answer: str) -> str:
    """Model answer -> full new module text, or DraftError saying why not."""
    parsed = parse_function_code(first_code(answer), qualname.split(".")[-1])
    return splice_draft(module_source, qualname, parsed)


def _docstring_span(function: str) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.Expr | None]:
    node = ast.parse(function).body[0]
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    first = node.body[0]
    is_doc = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    return node, first if is_doc and isinstance(first, ast.Expr) else None


def restore_docstring(function: str, original: str) -> str:
    """`function` with the docstring of `original` (FunCoder keeps the requirement it was given)."""
    try:
        _, source_doc = _docstring_span(_dedent(original))
        node, doc = _docstring_span(function)
    except (SyntaxError, IndexError, AssertionError):
        return function
    if source_doc is None or source_doc.end_lineno is None:
        return function
    doc_lines = _dedent(original).splitlines()[source_doc.lineno - 1 : source_doc.end_lineno]
    lines = function.splitlines()
    body_indent = " " * node.body[0].col_offset
    source_indent = " " * source_doc.col_offset
    replacement = [
        body_indent + line.removeprefix(source_indent) if line.strip() else "" for line in doc_lines
    ]
    if doc is not None and doc.end_lineno is not None:
        lines[doc.lineno - 1 : doc.end_lineno] = replacement
    else:
        lines[node.body[0].lineno - 1 : node.body[0].lineno - 1] = replacement
    result = "\n".join(lines) + "\n"
    try:
        ast.parse(result)
    except SyntaxError:
        return function
    return result
