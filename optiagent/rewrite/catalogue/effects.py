"""What a piece of code binds and mutates: the loop-invariance and purity facts rules rely on."""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.names import dotted_name

MUTATING_METHODS = frozenset(
    {
        "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "add", "discard",
        "update", "setdefault", "popitem", "difference_update", "intersection_update",
        "symmetric_difference_update", "appendleft", "popleft", "extendleft", "rotate",
        "__setitem__", "__delitem__", "__iadd__",
    }
)  # fmt: skip

# Builtins that never mutate their arguments nor keep a reference to them.
NON_MUTATING_CALLS = frozenset(
    {
        "len", "set", "frozenset", "sorted", "min", "max", "sum", "list", "tuple", "any", "all",
        "enumerate", "zip", "iter", "reversed", "str", "repr", "isinstance", "print", "bool", "int",
        "float", "abs", "hash", "id", "map", "filter", "range", "dict", "type", "format", "round",
    }
)  # fmt: skip


def _target_names(target: cst.BaseExpression, into: set[str]) -> None:
    if isinstance(target, cst.Name):
        into.add(target.value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            _target_names(element.value, into)
    elif isinstance(target, cst.StarredElement):
        _target_names(target.value, into)


class _BindingCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.bound: set[str] = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            _target_names(target.target, self.bound)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            _target_names(node.target, self.bound)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        _target_names(node.target, self.bound)

    def visit_For(self, node: cst.For) -> None:
        _target_names(node.target, self.bound)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            _target_names(node.asname.name, self.bound)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        _target_names(node.target, self.bound)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            _target_names(node.name.name, self.bound)

    def visit_Del(self, node: cst.Del) -> None:
        _target_names(node.target, self.bound)

    def visit_Global(self, node: cst.Global) -> None:
        self.bound.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.bound.update(item.name.value for item in node.names)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.bound.add(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.bound.add(node.name.value)
        return False

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        alias = node.asname.name if node.asname is not None else node.name
        name = dotted_name(alias) if isinstance(alias, (cst.Name, cst.Attribute)) else None
        if name is not None:
            self.bound.add(name.split(".")[0])


def bound_names(node: cst.CSTNode) -> set[str]:
    """Names (re)bound anywhere in `node` by assignment, loops, with, imports, defs, del, global."""
    collector = _BindingCollector()
    node.visit(collector)
    return collector.bound


def _subscript_base(node: cst.BaseExpression) -> str | None:
    while isinstance(node, (cst.Subscript, cst.Attribute)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


class _MutationCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.mutated: set[str] = set()

    def _store(self, target: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Subscript, cst.Attribute)):
            base = _subscript_base(target)
            if base is not None:
                self.mutated.add(base)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._store(element.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._store(target.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._store(node.target)
        if isinstance(node.target, cst.Name):
            self.mutated.add(node.target.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._store(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._store(node.target)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in MUTATING_METHODS:
            base = _subscript_base(func.value)
            if base is not None:
                self.mutated.add(base)
        called = dotted_name(func)
        if called in NON_MUTATING_CALLS:
            return
        for argument in node.args:
            if isinstance(argument.value, cst.Name):
                self.mutated.add(argument.value.value)


def mutated_names(node: cst.CSTNode) -> set[str]:
    """Names whose object may change in `node`: mutating methods, item/attribute stores, escapes to calls."""
    collector = _MutationCollector()
    node.visit(collector)
    return collector.mutated


def changed_names(node: cst.CSTNode) -> set[str]:
    """Names rebound or whose object may be mutated anywhere in `node`."""
    return bound_names(node) | mutated_names(node)
