"""OPT011: `(a ** b) % m` -> `pow(a, b, m)` (modular exponentiation without the huge power).

Preconditions: the exponent is not a negative literal and no operand is a float literal
(three-argument pow is for integers; validation rejects other types at runtime).

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
865.0 us -> 180.8 us, 4.78x.
"""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.base import INT_ONLY, Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.regions import ChangeTracker
from optiagent.rewrite.catalogue.transformer_rule import TransformerRule


def _integer_like(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Float, cst.Imaginary)):
        return False
    return not (isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus))


def _bare(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[], rpar=[]) if node.lpar else node


class _PowModTransformer(ChangeTracker):
    def leave_BinaryOperation(
        self, original_node: cst.BinaryOperation, updated_node: cst.BinaryOperation
    ) -> cst.BaseExpression:
        power = updated_node.left
        if not isinstance(updated_node.operator, cst.Modulo) or not isinstance(power, cst.BinaryOperation):
            return updated_node
        if not isinstance(power.operator, cst.Power):
            return updated_node
        operands = (power.left, power.right, updated_node.right)
        if not all(_integer_like(operand) for operand in operands):
            return updated_node
        self.changed = True
        return cst.Call(
            cst.Name("pow"),
            [cst.Arg(_bare(operand)) for operand in operands],
            lpar=updated_node.lpar,
            rpar=updated_node.rpar,
        )


class PowModRule(TransformerRule):
    info = RuleInfo(
        id="OPT011",
        title="power then modulo",
        explanation="(a ** b) % m -> pow(a, b, m)",
        preconditions=(Precondition(INT_ONLY, Discharge.TESTED),),
    )

    def make_transformer(self, module: cst.Module) -> ChangeTracker:
        return _PowModTransformer()
