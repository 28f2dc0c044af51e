"""OPT026: `for x in y: out.append(x)` into an existing list -> `out.extend(y)` (PERF402).

Preconditions: a plain `for` without `else` whose body is only that append of the loop
variable; `y` does not mention `out`; the loop variable is not used after the loop.
(A list created empty right before the loop is OPT004's `list(y)` instead.)

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
46.4 us -> 4.5 us, 10.37x.
"""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.append_comprehension import appended_value
from optiagent.rewrite.catalogue.base import Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.loops import only_statement, plain_for, used_outside
from optiagent.rewrite.catalogue.names import dotted_name, mentions
from optiagent.rewrite.catalogue.regions import ChangeTracker
from optiagent.rewrite.catalogue.transformer_rule import TransformerRule


class _ExtendTransformer(ChangeTracker):
    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.scopes: list[cst.CSTNode] = [module]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(node)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.scopes.pop()
        return updated_node

    def leave_For(self, original_node: cst.For, updated_node: cst.For) -> cst.BaseStatement:
        loop = plain_for(updated_node)
        if loop is None or not isinstance(loop.target, cst.Name):
            return updated_node
        statement = only_statement(loop.body)
        call = statement.value if isinstance(statement, cst.Expr) else None
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return updated_node
        owner = dotted_name(call.func.value)
        if owner is None or statement is None:
            return updated_node
        value = appended_value(statement, owner) if "." not in owner else _attribute_append(call)
        target = loop.target.value
        if not (isinstance(value, cst.Name) and value.value == target):
            return updated_node
        if mentions(loop.iter, owner.split(".")[0]) or used_outside(self.scopes[-1], original_node, {target}):
            return updated_node
        self.changed = True
        extend = cst.Call(cst.Attribute(call.func.value, cst.Name("extend")), [cst.Arg(loop.iter)])
        line = cst.SimpleStatementLine([cst.Expr(extend)], leading_lines=updated_node.leading_lines)
        return line


def _attribute_append(call: cst.Call) -> cst.BaseExpression | None:
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "append" and len(call.args) == 1:
        return call.args[0].value if call.args[0].keyword is None and not call.args[0].star else None
    return None


class ExtendLoopRule(TransformerRule):
    info = RuleInfo(
        id="OPT026",
        title="append loop into an existing list",
        explanation="for x in y: out.append(x) -> out.extend(y)",
        preconditions=(Precondition("y does not mention out (no aliasing)", Discharge.STATIC),),
    )

    def make_transformer(self, module: cst.Module) -> ChangeTracker:
        return _ExtendTransformer(module)
