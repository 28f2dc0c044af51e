"""Whether a local list can be aliased: every use of the name is one that cannot keep a reference."""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.effects import NON_MUTATING_CALLS
from optiagent.rewrite.catalogue.names import call_name, variable_uses


class _SafeUses(cst.CSTVisitor):
    """Counts uses of `name` that only read it or call its methods."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.safe = 0

    def _is_name(self, node: cst.CSTNode | None) -> bool:
        return isinstance(node, cst.Name) and node.value == self.name

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.safe += self._is_name(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.safe += self._is_name(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.safe += self._is_name(node.target)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        self.safe += self._is_name(node.left) and isinstance(node.operator, cst.Add)

    def visit_Return(self, node: cst.Return) -> None:
        self.safe += self._is_name(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.safe += self._is_name(node.value)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.safe += self._is_name(node.value)

    def visit_ComparisonTarget(self, node: cst.ComparisonTarget) -> None:
        self.safe += self._is_name(node.comparator) and isinstance(node.operator, (cst.In, cst.NotIn))

    def visit_For(self, node: cst.For) -> None:
        self.safe += self._is_name(node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.safe += self._is_name(node.iter)

    def visit_If(self, node: cst.If) -> None:
        self.safe += self._is_name(node.test)

    def visit_While(self, node: cst.While) -> None:
        self.safe += self._is_name(node.test)

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        self.safe += self._is_name(node.expression) and isinstance(node.operator, cst.Not)

    def visit_Call(self, node: cst.Call) -> None:
        if call_name(node) in NON_MUTATING_CALLS - {"iter", "map", "filter", "zip", "enumerate", "reversed"}:
            self.safe += sum(self._is_name(arg.value) for arg in node.args if not arg.star)


def only_safe_uses(scope: cst.CSTNode, name: str) -> bool:
    """Every use of `name` in `scope` reads it, calls a method, tests, iterates, rebinds or returns it."""
    counter = _SafeUses(name)
    scope.visit(counter)
    return counter.safe >= variable_uses(scope).count(name)
