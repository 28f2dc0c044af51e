"""Facts memoization needs: which module functions recurse and which are pure enough to cache."""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.effects import MUTATING_METHODS, bound_names
from optiagent.rewrite.catalogue.names import call_name, variable_uses

IMPURE_CALLS = frozenset(
    {"print", "input", "open", "exec", "eval", "setattr", "delattr", "next", "globals", "locals", "vars",
     "breakpoint", "exit", "quit", "id"}
)  # fmt: skip
IMPURE_MODULES = frozenset(
    {"random", "time", "os", "sys", "datetime", "uuid", "secrets", "subprocess", "socket", "shutil",
     "logging", "io", "pathlib", "threading", "requests", "urllib", "tempfile", "np"}
)  # fmt: skip
_CONSTANTS = (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString, cst.Ellipsis)


def module_functions(module: cst.Module) -> dict[str, cst.FunctionDef]:
    """Top-level functions by name (the last definition wins, as at runtime)."""
    return {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)}


class _CallNames(cst.CSTVisitor):
    def __init__(self) -> None:
        self.called: set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name):
            self.called.add(node.func.value)


def called_functions(node: cst.CSTNode, functions: dict[str, cst.FunctionDef]) -> set[str]:
    """Module functions `node` calls by plain name."""
    collector = _CallNames()
    node.visit(collector)
    return collector.called & functions.keys()


def reachable(start: str, functions: dict[str, cst.FunctionDef]) -> set[str]:
    """Module functions reachable through calls from `start` (excluding `start` unless recursive)."""
    seen: set[str] = set()
    pending = list(called_functions(functions[start], functions))
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending.extend(called_functions(functions[name], functions))
    return seen


def is_recursive(name: str, functions: dict[str, cst.FunctionDef]) -> bool:
    """Whether `name` calls itself directly or through other module functions (mutual recursion)."""
    return name in reachable(name, functions)


def _is_immutable_value(value: cst.BaseExpression) -> bool:
    if isinstance(value, _CONSTANTS):
        return True
    if isinstance(value, cst.Name):
        return value.value in {"True", "False", "None"}
    if isinstance(value, cst.UnaryOperation):
        return _is_immutable_value(value.expression)
    if isinstance(value, cst.BinaryOperation):
        return _is_immutable_value(value.left) and _is_immutable_value(value.right)
    if isinstance(value, cst.Tuple):
        return all(_is_immutable_value(element.value) for element in value.elements)
    if call_name(value) == "frozenset" and isinstance(value, cst.Call):
        return all(_is_immutable_value(arg.value) for arg in value.args)
    return False


class _GlobalDeclarations(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Global(self, node: cst.Global) -> None:
        self.names.update(item.name.value for item in node.names)


def unsafe_globals(module: cst.Module) -> set[str]:
    """Module-level names a cached function must not read: mutable values, rebound or `global`-assigned names."""
    counts: dict[str, int] = {}
    unsafe: set[str] = set()
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            counts[statement.name.value] = counts.get(statement.name.value, 0) + 1
            continue
        names = bound_names(statement)
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        small = (
            statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and statement.body else None
        )
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            continue
        value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
        if value is None or not _is_immutable_value(value):
            unsafe.update(names)
    declarations = _GlobalDeclarations()
    module.visit(declarations)
    return unsafe | declarations.names | {name for name, count in counts.items() if count > 1}


def parameter_names(function: cst.FunctionDef) -> set[str]:
    params = function.params
    names = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.add(star.name.value)
    return names


class _ImpurityFinder(cst.CSTVisitor):
    def __init__(self, outer_names: set[str]) -> None:
        self.outer_names = outer_names  # parameters and globals: must not be mutated
        self.reason = ""

    def _base(self, node: cst.BaseExpression) -> str | None:
        while isinstance(node, (cst.Subscript, cst.Attribute)):
            node = node.value
        return node.value if isinstance(node, cst.Name) else None

    def _store(self, target: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Subscript, cst.Attribute)) and self._base(target) in self.outer_names:
            self.reason = "stores into an argument or global"
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._store(element.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._store(target.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._store(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._store(node.target)

    def visit_Global(self, node: cst.Global) -> None:
        self.reason = "declares global"

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.reason = "declares nonlocal"

    def visit_Yield(self, node: cst.Yield) -> None:
        self.reason = "is a generator"

    def visit_Await(self, node: cst.Await) -> None:
        self.reason = "awaits"

    def visit_Call(self, node: cst.Call) -> None:
        name = call_name(node) or ""
        if name in IMPURE_CALLS or name.split(".")[0] in IMPURE_MODULES:
            self.reason = f"calls {name}"
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in MUTATING_METHODS
            and self._base(func.value) in self.outer_names
        ):
            self.reason = "mutates an argument or global"


def impurity(function: cst.FunctionDef, unsafe: set[str]) -> str:
    """Why caching `function` could change behaviour ("" when it looks pure)."""
    if function.asynchronous is not None:
        return "is async"
    local = parameter_names(function) | bound_names(function.body)
    read_unsafe = {name for name in variable_uses(function.body) if name not in local} & unsafe
    if read_unsafe:
        return f"reads mutable global {sorted(read_unsafe)[0]}"
    finder = _ImpurityFinder(parameter_names(function) | (set(variable_uses(function.body)) - local))
    function.body.visit(finder)
    return finder.reason
