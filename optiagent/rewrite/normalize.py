"""A canonical text for a module, used to drop candidates that differ only in layout."""

from __future__ import annotations

import ast

import libcst as cst


def _strip_docstrings(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            first = body[0] if body else None
            value = first.value if isinstance(first, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = body[1:] or [ast.Pass()]


class _CommentStripper(cst.CSTTransformer):
    def leave_TrailingWhitespace(
        self, original_node: cst.TrailingWhitespace, updated_node: cst.TrailingWhitespace
    ) -> cst.TrailingWhitespace:
        return updated_node.with_changes(comment=None)

    def leave_EmptyLine(
        self, original_node: cst.EmptyLine, updated_node: cst.EmptyLine
    ) -> cst.RemovalSentinel:
        return cst.RemovalSentinel.REMOVE


def normalize_source(source: str) -> str:
    """Source with comments, docstrings, blank lines and formatting removed.

    Two sources that differ only in those normalize equal. Text that does not parse comes back
    with comments stripped line by line where libcst can, else unchanged.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        try:
            return cst.parse_module(source).visit(_CommentStripper()).code
        except cst.ParserSyntaxError:
            return source
    _strip_docstrings(tree)
    return ast.unparse(tree)
