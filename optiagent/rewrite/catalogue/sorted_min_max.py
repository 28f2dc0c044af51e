"""OPT005: `sorted(x)[0]` / `sorted(x)[-1]` -> `min(x)` / `max(x)` (FURB192).

`key=` is kept for the cases where stability gives the same element: `[0]` ascending and
`[0]` with `reverse=True` (both the first extreme in input order). `[-1]` only without `key`,
and only on a name bound to a list or tuple (or a parameter without a narrower annotation): it becomes `max(reversed(x))` (or `min`), since
the stable sort ends with the LAST of equal extremes (`[1, True]`: True) where max keeps the first.

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
39.7 us -> 23.4 us, 1.69x; `[-1]` as max(reversed(x)): 31.7 us -> 16.6 us, 1.92x.
"""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.base import TOTAL_ORDER, Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.evidence import collection_kinds, only_kinds
from optiagent.rewrite.catalogue.names import call_name
from optiagent.rewrite.catalogue.regions import ChangeTracker
from optiagent.rewrite.catalogue.transformer_rule import TransformerRule


def index_value(node: cst.Subscript) -> int | None:
    """The constant integer index of `x[0]` / `x[-1]`, else None."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    value = node.slice[0].slice.value
    if isinstance(value, cst.Integer):
        return int(value.value, 0) if value.value.isdigit() else None
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        inner = value.expression
        return -int(inner.value) if isinstance(inner, cst.Integer) and inner.value.isdigit() else None
    return None


def _keyword_value(call: cst.Call, name: str) -> cst.BaseExpression | None:
    return next(
        (arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == name), None
    )


class _SortedIndexTransformer(ChangeTracker):
    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.kinds = collection_kinds(module)

    def leave_Subscript(
        self, original_node: cst.Subscript, updated_node: cst.Subscript
    ) -> cst.BaseExpression:
        call = updated_node.value
        position = index_value(updated_node)
        if not isinstance(call, cst.Call) or call_name(call) != "sorted" or position not in (0, -1):
            return updated_node
        positional = [arg for arg in call.args if arg.keyword is None]
        keywords = {arg.keyword.value for arg in call.args if arg.keyword is not None}
        if len(positional) != 1 or positional[0].star or not keywords <= {"key", "reverse"}:
            return updated_node
        reverse = _keyword_value(call, "reverse")
        if reverse is not None and not (isinstance(reverse, cst.Name) and reverse.value in ("True", "False")):
            return updated_node
        descending = isinstance(reverse, cst.Name) and reverse.value == "True"
        if position == -1 and "key" in keywords:
            return updated_node
        function = "max" if (position == 0) == descending else "min"
        args = [arg for arg in call.args if not (arg.keyword is not None and arg.keyword.value == "reverse")]
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        if position == -1:
            # The stable sort's last element is the LAST of equal extremes (1, 1.0, True differ);
            # min/max keep the first: over reversed(x) they keep the last. Only for sequences.
            subject = positional[0].value
            if not (
                isinstance(subject, cst.Name)
                and only_kinds(self.kinds, subject.value, {"list", "tuple", "unknown"})
            ):
                return updated_node
            args[0] = args[0].with_changes(value=cst.Call(cst.Name("reversed"), [cst.Arg(subject)]))
        self.changed = True
        return cst.Call(cst.Name(function), args, lpar=updated_node.lpar, rpar=updated_node.rpar)


class SortedMinMaxRule(TransformerRule):
    info = RuleInfo(
        id="OPT005",
        title="sorted() only to take the first or last element",
        explanation="sorted(x)[0] / sorted(x)[-1] -> min(x) / max(reversed(x))",
        preconditions=(
            Precondition(TOTAL_ORDER, Discharge.TESTED),
            Precondition(
                "the last of equal extremes is kept ([-1] only on a list/tuple, via reversed())",
                Discharge.STATIC,
            ),
        ),
    )

    def make_transformer(self, module: cst.Module) -> ChangeTracker:
        return _SortedIndexTransformer(module)
