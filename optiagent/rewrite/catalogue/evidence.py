"""Cheap static evidence of what kind of collection a name holds (list, tuple, set, dict, str)."""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.module_facts import once_per_module
from optiagent.rewrite.catalogue.names import call_name

_ANNOTATION_KINDS = {
    "list": "list", "List": "list", "Sequence": "list", "MutableSequence": "list",
    "tuple": "tuple", "Tuple": "tuple",
    "set": "set", "Set": "set", "MutableSet": "set", "frozenset": "set", "FrozenSet": "set",
    "dict": "dict", "Dict": "dict", "Mapping": "dict", "MutableMapping": "dict",
    "str": "str",
}  # fmt: skip
_CALL_KINDS = {
    "list": "list", "sorted": "list", "tuple": "tuple", "set": "set", "frozenset": "set",
    "dict": "dict", "str": "str",
}  # fmt: skip
_METHOD_KINDS = {
    "split": "list",
    "splitlines": "list",
    "readlines": "list",
    "rsplit": "list",
    "copy": "other",
}


def value_kind(value: cst.BaseExpression) -> str:
    """The collection kind an expression evaluates to, or "other" when unknown."""
    if isinstance(value, (cst.List, cst.ListComp)):
        return "list"
    if isinstance(value, cst.Tuple):
        return "tuple"
    if isinstance(value, (cst.Set, cst.SetComp)):
        return "set"
    if isinstance(value, (cst.Dict, cst.DictComp)):
        return "dict"
    if isinstance(value, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
        return "str"
    name = call_name(value)
    if name in _CALL_KINDS:
        return _CALL_KINDS[name]
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
        return _METHOD_KINDS.get(value.func.attr.value, "other")
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        left, right = value_kind(value.left), value_kind(value.right)
        return left if left == right else "other"
    return "other"


def annotation_kind(annotation: cst.BaseExpression) -> str:
    """The collection kind named by a type annotation (`list[int]`, `Sequence[str]`), else "other"."""
    if isinstance(annotation, cst.Subscript):
        annotation = annotation.value
    if isinstance(annotation, cst.Attribute):
        annotation = annotation.attr
    if isinstance(annotation, cst.Name):
        return _ANNOTATION_KINDS.get(annotation.value, "other")
    return "other"


def _extends_itself(name: str, value: cst.BaseExpression) -> bool:
    if not isinstance(value, cst.BinaryOperation) or not isinstance(value.operator, cst.Add):
        return False
    return isinstance(value.left, cst.Name) and value.left.value == name


class _KindCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.kinds: dict[str, set[str]] = {}

    def _add(self, name: str, kind: str) -> None:
        self.kinds.setdefault(name, set()).add(kind)

    def visit_Assign(self, node: cst.Assign) -> None:
        value = node.value
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                if _extends_itself(target.target.value, value):
                    continue  # `x = x + y` keeps the kind of x
                self._add(target.target.value, value_kind(node.value))
            else:
                for element in getattr(target.target, "elements", ()):
                    if isinstance(element.value, cst.Name):
                        self._add(element.value.value, "other")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            kind = annotation_kind(node.annotation.annotation)
            if kind == "other" and node.value is not None:
                kind = value_kind(node.value)
            self._add(node.target.value, kind)

    def visit_Param(self, node: cst.Param) -> None:
        kind = annotation_kind(node.annotation.annotation) if node.annotation is not None else "unknown"
        self._add(node.name.value, kind)

    def visit_For(self, node: cst.For) -> None:
        for name in _names_in_target(node.target):
            self._add(name, "other")


def _names_in_target(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in _names_in_target(element.value)]
    return []


def collection_kinds(node: cst.CSTNode) -> dict[str, set[str]]:
    """For each name bound in `node`, the kinds of value it is bound to ("unknown": bare parameter)."""
    return {name: set(kinds) for name, kinds in _collection_kinds(node).items()}


@once_per_module
def _collection_kinds(node: cst.CSTNode) -> dict[str, frozenset[str]]:
    collector = _KindCollector()
    node.visit(collector)
    return {name: frozenset(kinds) for name, kinds in collector.kinds.items()}


def only_kinds(kinds: dict[str, set[str]], name: str, allowed: set[str]) -> bool:
    """Whether every binding of `name` seen is one of `allowed` (and there is at least one)."""
    seen = kinds.get(name, set())
    return bool(seen) and seen <= allowed
