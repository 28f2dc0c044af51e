"""Nested functions as targets: each call captured with its closure, the function rebuilt around it.

A function defined inside another (`_strfdt.<locals>.repl`, a callback handed to `re.sub`) is not
reachable from its module. Capture (`capture/nested.py`) records each sampled call with a
`Closure` as its first argument: the values of the function's free variables (one `Cell` per cell,
so cells shared with sibling functions stay shared), its defaults and keyword defaults. A free
variable holding a captured nested function (itself, to recurse; a sibling) is recorded as a
`NestedRef` to it, with that function's own closure.

In the check, `NestedFunction(module, qualname, enclosing)` finds the nested code object among the
enclosing function's constants (in the original module, or in a candidate's), and each call runs
`types.FunctionType(code, module globals, name, defaults, cells)` built from the call's closure; a
`NestedRef` becomes the same module's version of that function. The cells' contents after the
call are written back into the `Closure`, so what a call changed through `nonlocal` is compared
like any argument it mutated. A candidate may change only the nested function's body
(`edit_problem`): its signature, its decorators and the rest of the enclosing function stay the
original's, so the captured closure is exactly what the edited function will be given.
"""

from __future__ import annotations

import ast
import copy
import inspect
import types
from collections.abc import Iterator
from typing import Any

LOCALS = "<locals>"
CLOSURE_PARAMETER = "_optiagent_closure"  # the first parameter of a nested target in the check
_UNWRAP_DEPTH = 8


class _Empty:
    """An empty cell (a free variable not yet assigned when the call was made)."""

    def __repr__(self) -> str:
        return "<empty cell>"

    def __reduce__(self) -> str:
        return "EMPTY"

    def __deepcopy__(self, memo: dict[int, Any]) -> _Empty:
        return self


EMPTY = _Empty()


class Cell:
    """One closure cell's content."""

    def __init__(self, value: Any = EMPTY) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Cell({self.value!r})"


class NestedRef:
    """A free variable holding a nested function of the module (rebuilt from the same module)."""

    def __init__(self, qualname: str, closure: Closure) -> None:
        self.qualname = qualname
        self.closure = closure

    def __repr__(self) -> str:
        return f"<nested function {self.qualname}>"


class Closure:
    """What a nested function was made with: free variables by name, defaults, keyword defaults."""

    def __init__(
        self,
        qualname: str,
        names: tuple[str, ...],
        cells: list[Cell],
        defaults: tuple[Any, ...] | None,
        kwdefaults: dict[str, Any] | None,
    ) -> None:
        self.qualname = qualname
        self.names = names
        self.cells = cells
        self.defaults = defaults
        self.kwdefaults = kwdefaults

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={_short(cell.value)}" for name, cell in zip(self.names, self.cells, strict=False)
        )
        return f"<closure of {self.qualname}: {shown}>"


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as error:  # a receiver not yet initialized, say
        text = f"<{type(value).__qualname__} (repr raised {type(error).__name__})>"
    return text if len(text) <= 60 else f"{text[:57]}..."


class NestedClosureError(Exception):
    """The nested code needs a free variable the captured closure does not have."""


def is_nested(qualname: str) -> bool:
    return LOCALS in qualname.split(".")


def enclosing_qualname(qualname: str) -> str:
    """`C.m` for `C.m.<locals>.key`: the outermost function that is reachable from the module."""
    return qualname.split(f".{LOCALS}.", 1)[0]


class NestedFunction:
    """A nested function of `module`, called as `(closure, *args, **kwargs)`."""

    def __init__(self, module: types.ModuleType, qualname: str, enclosing: Any) -> None:
        self.module = module
        self.__qualname__ = qualname
        self.__module__ = module.__name__
        self.__code__ = nested_code(enclosing, qualname, getattr(module, "__file__", None))
        self.__name__ = self.__code__.co_name
        first = self.__code__.co_consts[0] if self.__code__.co_consts else None
        self.__doc__ = first if isinstance(first, str) else None
        self.__signature__ = _signature(self.__code__)

    def __call__(self, closure: Closure, *args: Any, **kwargs: Any) -> Any:
        built = _Builder(self.module, self.__qualname__)
        function = built.function(self.__code__, closure)
        try:
            result = function(*args, **kwargs)
        except BaseException:
            built.write_back()
            raise
        if isinstance(result, types.GeneratorType):
            return _written_back_after(result, built)
        built.write_back()
        return result


def _written_back_after(generator: Iterator[Any], built: _Builder) -> Iterator[Any]:
    try:
        return (yield from generator)
    finally:
        built.write_back()


class _Builder:
    """Functions rebuilt for one call: one real cell per captured `Cell`, shared as captured."""

    def __init__(self, module: types.ModuleType, qualname: str) -> None:
        self.module = module
        self.qualname = qualname
        self.functions: dict[int, types.FunctionType] = {}
        self.cells: dict[int, tuple[Cell, types.CellType, Any]] = {}  # id(Cell) -> (Cell, cell, put)

    def function(self, code: types.CodeType, closure: Closure) -> types.FunctionType:
        if id(closure) in self.functions:
            return self.functions[id(closure)]
        captured = dict(zip(closure.names, closure.cells, strict=False))
        missing = [name for name in code.co_freevars if name not in captured]
        if missing:
            raise NestedClosureError(
                f"{closure.qualname} uses {', '.join(missing)} from its enclosing function, which the "
                "captured closure does not have (a candidate may change only the nested function's body)"
            )
        fresh = [captured[name] for name in code.co_freevars if id(captured[name]) not in self.cells]
        for box in fresh:
            self.cells[id(box)] = (box, types.CellType(), EMPTY)
        cells = tuple(self.cells[id(captured[name])][1] for name in code.co_freevars)
        function = types.FunctionType(code, vars(self.module), code.co_name, closure.defaults, cells)
        function.__kwdefaults__ = copy.copy(closure.kwdefaults)
        function.__qualname__ = closure.qualname
        self.functions[id(closure)] = function
        for box in fresh:  # filled after the function exists: a cell may refer back to it
            value = box.value
            if isinstance(value, NestedRef):
                value = self.function(self._code(value.qualname), value.closure)
            if value is not EMPTY:
                self.cells[id(box)][1].cell_contents = value
            self.cells[id(box)] = (box, self.cells[id(box)][1], value)
        return function

    def _code(self, qualname: str) -> types.CodeType:
        enclosing = _walk_plain(self.module, enclosing_qualname(qualname))
        return nested_code(enclosing, qualname, getattr(self.module, "__file__", None))

    def write_back(self) -> None:
        """The cells' contents now, into the captured `Cell`s (a rebuilt function left in place
        stays the reference it was)."""
        for box, cell, put in self.cells.values():
            try:
                now = cell.cell_contents
            except ValueError:
                now = EMPTY
            if now is not put:
                box.value = now


def _walk_plain(module: types.ModuleType, dotted: str) -> Any:
    found: Any = module
    for part in dotted.split("."):
        found = getattr(found, part)
    return found


def _function_code(value: Any, name: str, filename: str | None) -> types.CodeType:
    """The code of the function `value` stands for: through staticmethod, classmethod, bound
    methods, properties, `__wrapped__`, and decorators that keep it in a closure cell."""
    frontier = [value]
    for _ in range(_UNWRAP_DEPTH):
        following: list[Any] = []
        for item in frontier:
            if isinstance(item, staticmethod | classmethod | types.MethodType):
                following.append(item.__func__)
            elif isinstance(item, property):
                following.append(item.fget)
            elif isinstance(item, types.FunctionType):
                code = item.__code__
                if code.co_name == name and (filename is None or _same_file(code.co_filename, filename)):
                    return code
                following += [c.cell_contents for c in item.__closure__ or () if _filled(c)]
            wrapped = getattr(item, "__wrapped__", None)
            if wrapped is not None:
                following.append(wrapped)
        frontier = following
    raise LookupError(f"the code of {name} was not found")


def _filled(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018  (an empty cell raises)
    except ValueError:
        return False
    return True


def _same_file(a: str, b: str) -> bool:
    import os

    return a == b or os.path.realpath(a) == os.path.realpath(b)


def nested_code(enclosing: Any, qualname: str, filename: str | None) -> types.CodeType:
    """The code object of the nested function `qualname` inside the function `enclosing`."""
    head, *path = qualname.split(f".{LOCALS}.")
    code = _function_code(enclosing, head.rsplit(".", 1)[-1], filename)
    for name in path:
        found = [c for c in code.co_consts if isinstance(c, types.CodeType) and c.co_name == name]
        if len(found) != 1:
            raise LookupError(f"{qualname}: {len(found)} nested functions named {name} in {code.co_name}")
        code = found[0]
    return code


def _signature(code: types.CodeType) -> inspect.Signature:
    cells = tuple(types.CellType() for _ in code.co_freevars)
    plain = inspect.signature(types.FunctionType(code, {}, code.co_name, None, cells))
    first = inspect.Parameter(CLOSURE_PARAMETER, inspect.Parameter.POSITIONAL_ONLY)
    return plain.replace(parameters=[first, *plain.parameters.values()])


# ---- what a candidate of a nested function may change ---------------------------------------------


def edit_problem(original_source: str, candidate_source: str, qualname: str) -> str | None:
    """None when the candidate differs from the original, inside the outermost function enclosing
    `qualname`, only in the body of `qualname`; else what else it changed."""
    try:
        original, candidate = ast.parse(original_source), ast.parse(candidate_source)
    except SyntaxError as error:
        return f"does not parse: {error}"
    found_original, found_candidate = _locate(original, qualname), _locate(candidate, qualname)
    if found_original is None:
        return f"{qualname} is not in the original"
    if found_candidate is None:
        return f"the candidate has no {qualname}"
    outer = enclosing_qualname(qualname)
    if _masked(found_original) != _masked(found_candidate):
        return (
            f"a candidate of the nested function {qualname} may change only its body; its signature, "
            f"its decorators or the rest of {outer} differ from the original's"
        )
    return None


_Found = tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.FunctionDef | ast.AsyncFunctionDef]


def _locate(tree: ast.Module, qualname: str) -> _Found | None:
    """(the outermost enclosing function, the nested function) of `qualname`."""
    parts = [part for part in qualname.split(".") if part != LOCALS]
    body: list[ast.stmt] = tree.body
    outermost: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    node: ast.AST | None = None
    for name in parts:
        matches = [n for n in _defined_here(body) if n.name == name]
        if not matches:
            return None
        node = matches[-1]  # a redefinition wins, as at run time
        if outermost is None and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            outermost = node
        body = node.body
    if outermost is None or not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node is outermost:
        return None
    return outermost, node


def _defined_here(body: list[ast.stmt]) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    """Defs and classes of one scope, also inside its if/for/while/try/with blocks."""
    stack = list(reversed(body))
    while stack:
        statement = stack.pop()
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield statement
            continue
        blocks: list[list[ast.stmt]] = []
        for field in ("body", "orelse", "finalbody"):
            value = getattr(statement, field, None)
            if isinstance(value, list):
                blocks.append(value)
        blocks += [handler.body for handler in getattr(statement, "handlers", []) or []]
        blocks += [case.body for case in getattr(statement, "cases", []) or []]
        for block in reversed(blocks):
            stack.extend(reversed(block))


def _masked(found: _Found) -> str:
    """The outermost function's tree with the nested function's body left out."""
    outermost, nested = found
    saved = nested.body
    nested.body = [ast.Pass()]
    try:
        return ast.dump(outermost)
    finally:
        nested.body = saved
