"""OPT020: `list(x)[0]` -> `next(iter(x))` (RUF015): no copy of the whole iterable.

Empty input raises StopIteration instead of IndexError; validation decides if that matters.

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
9.3 us -> 1.1 us, 8.78x.
"""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.base import REITERABLE, Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.names import call_name
from optiagent.rewrite.catalogue.regions import ChangeTracker
from optiagent.rewrite.catalogue.sorted_min_max import index_value
from optiagent.rewrite.catalogue.transformer_rule import TransformerRule


class _FirstItemTransformer(ChangeTracker):
    def leave_Subscript(
        self, original_node: cst.Subscript, updated_node: cst.Subscript
    ) -> cst.BaseExpression:
        call = updated_node.value
        if (
            not isinstance(call, cst.Call)
            or call_name(call) not in ("list", "tuple")
            or index_value(updated_node) != 0
        ):
            return updated_node
        if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
            return updated_node
        self.changed = True
        iterator = cst.Call(cst.Name("iter"), [cst.Arg(call.args[0].value)])
        return cst.Call(cst.Name("next"), [cst.Arg(iterator)], lpar=updated_node.lpar, rpar=updated_node.rpar)


class FirstItemRule(TransformerRule):
    info = RuleInfo(
        id="OPT020",
        title="whole copy to take the first element",
        explanation="list(x)[0] -> next(iter(x))",
        preconditions=(
            Precondition("x is not empty, or StopIteration vs IndexError does not matter", Discharge.TESTED),
            Precondition(REITERABLE, Discharge.TESTED),
        ),
    )

    def make_transformer(self, module: cst.Module) -> ChangeTracker:
        return _FirstItemTransformer()
