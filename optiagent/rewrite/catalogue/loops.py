"""Shapes of simple loops: `for target in iter:` bodies reduced to one statement, and target scoping."""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.blocks import single_small
from optiagent.rewrite.catalogue.names import identifiers, variable_uses


def only_statement(suite: cst.BaseSuite) -> cst.BaseStatement | cst.BaseSmallStatement | None:
    """The single statement of a block (`if x: y` suites give their small statement), else None."""
    if isinstance(suite, cst.IndentedBlock) and len(suite.body) == 1:
        statement = suite.body[0]
        small = single_small(statement)
        return small if small is not None else statement
    if isinstance(suite, cst.SimpleStatementSuite) and len(suite.body) == 1:
        return suite.body[0]
    return None


def plain_for(node: cst.CSTNode) -> cst.For | None:
    """A synchronous `for` without `else`, else None."""
    if isinstance(node, cst.For) and node.asynchronous is None and node.orelse is None:
        return node
    return None


def target_names(loop: cst.For) -> set[str]:
    return identifiers(loop.target)


_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def _rebinding(node: cst.CSTNode) -> set[str]:
    """Names a `for` statement or a comprehension binds for the code inside it."""
    if isinstance(node, cst.For):
        return identifiers(node.target)
    if isinstance(node, _COMPREHENSIONS):
        found: set[str] = set()
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            found |= identifiers(clause.target)
            clause = clause.inner_for_in
        return found
    return set()


class _UsesOutside(cst.CSTVisitor):
    """Names read outside `skip`, ignoring code where another loop or comprehension rebinds them."""

    def __init__(self, skip: cst.CSTNode, names: set[str]) -> None:
        self.skip = skip
        self.names = names
        self.used: set[str] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node is self.skip or not self.names:
            return False
        rebound = _rebinding(node) & self.names
        if rebound:
            if isinstance(node, cst.For):
                self.used.update(set(variable_uses(node.iter)) & self.names)
            inner = _UsesOutside(self.skip, self.names - rebound)
            for child in node.children:
                if not (isinstance(node, cst.For) and child in (node.target, node.iter)):
                    child.visit(inner)
            self.used |= inner.used
            return False
        if isinstance(node, cst.Attribute):
            node.value.visit(self)
            return False
        if isinstance(node, cst.Name) and node.value in self.names:
            self.used.add(node.value)
        return True


def used_outside(scope: cst.CSTNode, loop: cst.CSTNode, names: set[str]) -> set[str]:
    """Which of `names` the code of `scope` mentions outside `loop` (other loops' own targets aside)."""
    visitor = _UsesOutside(loop, names)
    scope.visit(visitor)
    return visitor.used
