"""Every place a name is bound in a piece of code, in all its scopes (the `ast` view, which marks stores)."""

from __future__ import annotations

import ast
from collections import Counter

import libcst as cst

from optiagent.rewrite.catalogue.module_facts import once_per_module

STAR = "*"  # counted for `from m import *`, which may bind any name


def _bound_by(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return [node.id]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.alias):
        if node.name == "*":
            return [STAR]
        return [node.asname or node.name.split(".")[0]]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        return [node.name]
    if isinstance(node, ast.MatchMapping) and node.rest:
        return [node.rest]
    return []


def binding_counts(tree: ast.AST) -> Counter[str]:
    """How many times each name is bound anywhere in `tree`, nested functions, classes and
    comprehensions included (parameters, stores, deletes, imports, defs, global/nonlocal)."""
    counts: Counter[str] = Counter()
    for node in ast.walk(tree):
        counts.update(_bound_by(node))
    return counts


def parse_node(node: cst.CSTNode) -> ast.Module:
    """The `ast` of a statement (a function, a class) or a whole module."""
    module = node if isinstance(node, cst.Module) else cst.Module(body=[node])  # type: ignore[list-item]
    return ast.parse(module.code)


@once_per_module
def _module_binding_counts(module: cst.CSTNode) -> Counter[str]:
    return binding_counts(parse_node(module))


def module_binding_counts(module: cst.Module) -> Counter[str]:
    """`binding_counts` of a whole file, computed once per module object (do not change the result)."""
    return _module_binding_counts(module)
