"""Which parts of a module a rule may touch for a target, and applying a transformer to them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import libcst as cst

from optiagent.domain.targets import PROGRAM_QUALNAME
from optiagent.rewrite.locate import find_function, replace_function


class ChangeTracker(cst.CSTTransformer):
    """A transformer that records whether it changed anything."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = False


def _top_level_functions(module: cst.Module) -> set[str]:
    return {statement.name.value for statement in module.body if isinstance(statement, cst.FunctionDef)}


def _class_methods(module: cst.Module, class_path: list[str]) -> set[str]:
    body: Sequence[cst.BaseStatement] = module.body
    for name in class_path:
        found = next((s for s in body if isinstance(s, cst.ClassDef) and s.name.value == name), None)
        if found is None or not isinstance(found.body, cst.IndentedBlock):
            return set()
        body = found.body.body
    return {statement.name.value for statement in body if isinstance(statement, cst.FunctionDef)}


class _CallCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.plain: set[str] = set()
        self.on_self: set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name):
            self.plain.add(func.value)
        elif (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == "self"
        ):
            self.on_self.add(func.attr.value)


def target_qualnames(module: cst.Module, qualname: str) -> list[str]:
    """The target first, then the helpers it calls directly (module functions, `self.` methods)."""
    if qualname == PROGRAM_QUALNAME:
        return [PROGRAM_QUALNAME]
    function = find_function(module, qualname)
    if function is None:
        return []
    collector = _CallCollector()
    function.visit(collector)
    found = [qualname]
    functions = _top_level_functions(module)
    found.extend(sorted(name for name in collector.plain if name in functions and name != qualname))
    class_path = qualname.split(".")[:-1]
    if class_path:
        methods = _class_methods(module, class_path)
        prefix = ".".join(class_path)
        found.extend(
            f"{prefix}.{name}"
            for name in sorted(collector.on_self & methods)
            if f"{prefix}.{name}" != qualname
        )
    return found


def transform_regions(
    module: cst.Module, qualname: str, make_transformer: Callable[[cst.Module], ChangeTracker]
) -> cst.Module | None:
    """Apply a fresh transformer to the target and its direct helpers; None when nothing changed."""
    changed = False
    for region in target_qualnames(module, qualname):
        transformer = make_transformer(module)
        if region == PROGRAM_QUALNAME:
            updated = module.visit(transformer)
            if transformer.changed:
                module, changed = updated, True
            continue
        function = find_function(module, region)
        if function is None:
            continue
        new_function = function.visit(transformer)
        if transformer.changed and isinstance(new_function, cst.FunctionDef):
            module = replace_function(module, region, function, new_function)
            changed = True
    return module if changed else None
