"""Recognise `for ...: [for ...:] [if ...:] <one statement>` nests and turn them into comprehension clauses."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from optiagent.rewrite.catalogue.loops import only_statement, plain_for


@dataclass(frozen=True)
class LoopNest:
    """Clauses of a loop nest (`for` and `if` in order) and the innermost small statement."""

    clauses: tuple[cst.For | cst.If, ...]
    innermost: cst.BaseSmallStatement | cst.BaseStatement


def _is_name_target(target: cst.BaseExpression) -> bool:
    if isinstance(target, cst.Name):
        return True
    if isinstance(target, (cst.Tuple, cst.List)):
        return all(_is_name_target(element.value) for element in target.elements)
    return False


def loop_nest(loop: cst.BaseStatement) -> LoopNest | None:
    """The clauses of a nest of plain `for`s and else-less `if`s around a single small statement."""
    clauses: list[cst.For | cst.If] = []
    node: cst.BaseStatement | cst.BaseSmallStatement | None = loop
    while True:
        plain = plain_for(node) if node is not None else None
        if plain is not None and _is_name_target(plain.target):
            clauses.append(plain)
            node = only_statement(plain.body)
        elif isinstance(node, cst.If) and node.orelse is None and clauses:
            clauses.append(node)
            node = only_statement(node.body)
        else:
            break
    if not clauses or not isinstance(clauses[0], cst.For) or node is None:
        return None
    return LoopNest(tuple(clauses), node)


def _parenthesized_if_needed(test: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(test, (cst.IfExp, cst.Lambda, cst.NamedExpr)) and not test.lpar:
        return test.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return test


def comp_for(clauses: tuple[cst.For | cst.If, ...]) -> cst.CompFor:
    """The `for ... in ... if ...` chain of a comprehension equivalent to the loop nest clauses."""
    built: cst.CompFor | None = None
    groups: list[tuple[cst.For, list[cst.If]]] = []
    for clause in clauses:
        if isinstance(clause, cst.For):
            groups.append((clause, []))
        else:
            groups[-1][1].append(clause)
    for loop, tests in reversed(groups):
        built = cst.CompFor(
            target=loop.target,
            iter=loop.iter,
            ifs=[cst.CompIf(_parenthesized_if_needed(test.test)) for test in tests],
            inner_for_in=built,
        )
    assert built is not None
    return built


def nest_targets_and_parts(nest: LoopNest) -> tuple[list[cst.BaseExpression], list[cst.CSTNode]]:
    """The loop targets of the nest, and the expressions (iterables, tests) evaluated by it."""
    targets: list[cst.BaseExpression] = []
    parts: list[cst.CSTNode] = []
    for clause in nest.clauses:
        if isinstance(clause, cst.For):
            targets.append(clause.target)
            parts.append(clause.iter)
        else:
            parts.append(clause.test)
    return targets, parts
