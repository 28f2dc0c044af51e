"""OPT015: loop-invariant lookups bound to locals before the loop (perflint W8201/W8205).

Three lookups are hoisted: module functions (`math.sqrt` where `math` is an imported module),
attribute reads on a name (`self.limit`) and `len(x)`. Bound-method lookups such as
`out.append` are deliberately left alone: on CPython 3.11 calling a stored bound method is
slower than the specialised method call.

A loop whose only hoistable lookups are attribute reads is left alone: on 24 real targets of sqlparse,
pyparsing and tomlkit (realworld_yield.py) where that was all it hoisted, the rule alone measured
0.97x-1.05x and none was accepted, each costing the target a paired benchmark; the savings are in
`len(x)` calls and module function lookups.

Preconditions: the name is not rebound in the loop, its attributes are not stored, it is not
passed to a call, and no method is called on it inside the loop; for `len(x)`, `x` is not
changed in the loop.

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
465.6 us -> 285.5 us, 1.63x.
"""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.base import Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.count_dict import code
from optiagent.rewrite.catalogue.effects import changed_names
from optiagent.rewrite.catalogue.hoist import LoopHoister, Plan
from optiagent.rewrite.catalogue.imports import imports_module
from optiagent.rewrite.catalogue.names import call_name, dotted_name, variable_names
from optiagent.rewrite.catalogue.transformer_rule import TransformerRule


class _Lookups(cst.CSTVisitor):
    """Attribute reads `N.a`, calls `M.f(...)` and `len(x)` in a loop body, and names with method calls."""

    def __init__(self) -> None:
        self.attribute_reads: dict[str, cst.Attribute] = {}
        self.called_attributes: dict[str, cst.Attribute] = {}
        self.lengths: dict[str, cst.Call] = {}
        self.method_owners: set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            self.method_owners.add(func.value.value)
            self.called_attributes[code(func)] = func
        if call_name(node) == "len" and len(node.args) == 1 and isinstance(node.args[0].value, cst.Name):
            self.lengths[code(node)] = node

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if isinstance(node.value, cst.Name):
            self.attribute_reads.setdefault(code(node), node)
        return True

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return False
        return super().on_visit(node)


def _loop_body(node: cst.CSTNode) -> list[cst.CSTNode]:
    if isinstance(node, cst.For):
        return [node.body]
    if isinstance(node, cst.While):
        return [node.test, node.body]
    return []


class _LookupHoister(LoopHoister):
    def __init__(self, module: cst.Module) -> None:
        super().__init__(variable_names(module))
        self.module = module

    def plan(self, node: cst.CSTNode, planned: set[str], in_loop: bool) -> Plan:
        lookups = _Lookups()
        for part in _loop_body(node):
            part.visit(lookups)
        changed = changed_names(node)
        found: Plan = {}
        for key, attribute in lookups.called_attributes.items():
            owner = dotted_name(attribute.value) or ""
            if owner not in changed and imports_module(self.module, owner):
                found[key] = (attribute.attr.value, attribute)
        for key, attribute in lookups.attribute_reads.items():
            owner = dotted_name(attribute.value) or ""
            if key in lookups.called_attributes or owner in changed or owner in lookups.method_owners:
                continue
            if not imports_module(self.module, owner):
                found[key] = (attribute.attr.value, attribute)
        for key, call in lookups.lengths.items():
            measured = dotted_name(call.args[0].value) or ""
            if measured not in changed:
                found[key] = (f"{measured}_len", call)
        found = {key: value for key, value in found.items() if key not in planned}
        # Attribute reads alone do not pay: CPython 3.11 specialises `self.attr` to nearly a local
        # read. A loop is rewritten only when it also saves a call or a module lookup per iteration.
        if all(key in lookups.attribute_reads for key in found):
            return {}
        return found

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        local = self.binding_for(code(updated_node)) if isinstance(updated_node.value, cst.Name) else None
        return (
            updated_node if local is None else cst.Name(local, lpar=updated_node.lpar, rpar=updated_node.rpar)
        )

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        local = self.binding_for(code(updated_node)) if call_name(updated_node) == "len" else None
        return (
            updated_node if local is None else cst.Name(local, lpar=updated_node.lpar, rpar=updated_node.rpar)
        )


class InvariantLookupRule(TransformerRule):
    info = RuleInfo(
        id="OPT015",
        title="loop-invariant lookups repeated in a loop",
        explanation="math.sqrt / self.attr / len(x) inside a loop -> bound to a local before it",
        preconditions=(
            Precondition("the hoisted lookup gives the same value on every iteration", Discharge.STATIC),
        ),
    )

    def make_transformer(self, module: cst.Module) -> _LookupHoister:
        return _LookupHoister(module)
