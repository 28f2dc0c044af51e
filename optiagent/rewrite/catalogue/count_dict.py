"""OPT006: manual counting (`if k in d: d[k] += n else: d[k] = n`) -> `d[k] = d.get(k, 0) + n`.

Also the `not in` spelling with swapped branches and `d[k] = d[k] + n`.

Preconditions: the key and the dict are side-effect-free expressions (names, attributes,
subscripts, constants); the initial value is the increment itself, and not a string or list.

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
166.3 us -> 138.9 us, 1.20x.
"""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.base import Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.loops import only_statement
from optiagent.rewrite.catalogue.regions import ChangeTracker, transform_regions

_EMPTY = cst.Module(body=[])
_SIMPLE = (cst.Name, cst.Attribute, cst.Subscript, cst.Integer, cst.SimpleString, cst.Float, cst.Tuple)
_NOT_NUMBERS = (
    cst.SimpleString,
    cst.FormattedString,
    cst.ConcatenatedString,
    cst.List,
    cst.Dict,
    cst.Set,
    cst.Tuple,
)


def code(node: cst.CSTNode) -> str:
    """Source text of a node, for comparing expressions."""
    return _EMPTY.code_for_node(node).strip()


def side_effect_free(node: cst.BaseExpression) -> bool:
    """Names, attribute chains, constant-indexed subscripts, constants and tuples of those."""
    if isinstance(node, cst.Tuple):
        return all(side_effect_free(element.value) for element in node.elements)
    if isinstance(node, cst.Attribute):
        return side_effect_free(node.value)
    if isinstance(node, cst.Subscript):
        return side_effect_free(node.value) and all(
            isinstance(element.slice, cst.Index) and side_effect_free(element.slice.value)
            for element in node.slice
        )
    return isinstance(node, _SIMPLE)


def membership(test: cst.BaseExpression) -> tuple[cst.BaseExpression, cst.BaseExpression, bool] | None:
    """(key, container, negated) for `key in container` / `key not in container`."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    if not isinstance(target.operator, (cst.In, cst.NotIn)):
        return None
    return test.left, target.comparator, isinstance(target.operator, cst.NotIn)


def _item_store(small: cst.CSTNode | None, key: str, container: str) -> cst.BaseExpression | None:
    """The value of `container[key] = value`, else None."""
    if not isinstance(small, cst.Assign) or len(small.targets) != 1:
        return None
    target = small.targets[0].target
    return (
        small.value if isinstance(target, cst.Subscript) and code(target) == f"{container}[{key}]" else None
    )


def _item_increment(small: cst.CSTNode | None, key: str, container: str) -> cst.BaseExpression | None:
    """The increment of `container[key] += n` or `container[key] = container[key] + n`, else None."""
    item = f"{container}[{key}]"
    if (
        isinstance(small, cst.AugAssign)
        and isinstance(small.operator, cst.AddAssign)
        and code(small.target) == item
    ):
        return small.value
    value = _item_store(small, key, container)
    if (
        isinstance(value, cst.BinaryOperation)
        and isinstance(value.operator, cst.Add)
        and code(value.left) == item
    ):
        return value.right
    return None


class _CountTransformer(ChangeTracker):
    def __init__(self, module: cst.Module) -> None:
        super().__init__()

    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> cst.BaseStatement:
        tested = membership(updated_node.test)
        orelse = updated_node.orelse
        if tested is None or not isinstance(orelse, cst.Else):
            return updated_node
        key_node, container_node, negated = tested
        if not (side_effect_free(key_node) and side_effect_free(container_node)):
            return updated_node
        key, container = code(key_node), code(container_node)
        present, absent = (orelse.body, updated_node.body) if negated else (updated_node.body, orelse.body)
        increment = _item_increment(only_statement(present), key, container)
        initial = _item_store(only_statement(absent), key, container)
        if increment is None or initial is None or code(increment) != code(initial):
            return updated_node
        if isinstance(increment, _NOT_NUMBERS):
            return updated_node
        self.changed = True
        line = cst.parse_statement(f"{container}[{key}] = {container}.get({key}, 0) + {code(increment)}\n")
        return line.with_changes(leading_lines=updated_node.leading_lines)


class CountDictRule:
    info = RuleInfo(
        id="OPT006",
        title="manual counting with a membership test",
        explanation="if k in d: d[k] += 1 else: d[k] = 1 -> d[k] = d.get(k, 0) + 1",
        preconditions=(
            Precondition(
                "the dict is a plain dict (no __missing__, no overridden __contains__)", Discharge.TESTED
            ),
            Precondition("the key and dict expressions have no side effects", Discharge.STATIC),
        ),
    )

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        return transform_regions(module, qualname, _CountTransformer)
