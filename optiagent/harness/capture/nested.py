"""Capture of nested functions (`f.<locals>.repl`): their calls, with the closures they were made with.

A nested function exists only while its enclosing function runs, so no wrapper can be put on it
from outside. Instead the module's source is compiled with one more decorator on each nested def,
innermost (applied first, to the function itself): `@__optiagent_nested__("path::qualname")`,
a name the capture puts in `builtins`. The decorator line is the def's own, so the code's first
line (the profile's key) is unchanged. The decorator returns a thin function that records the call
through an ordinary capturing wrapper (`wrap_function`, one per nested function) with a
`LiveClosure` as its first argument: pickled only when the call is sampled, as the `Closure`
(free variables, defaults; `harness/nested.py`) the check rebuilds the function from. Both the
thin function and the wrapper fold into the nested function in the profile.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import re
import types
from collections.abc import Callable
from typing import Any

from ..nested import CLOSURE_PARAMETER, EMPTY, Cell, Closure, NestedRef
from .recorder import Recorder
from .wrappers import WRAPPER_FILENAME, WrapperRegistry, wrap_function

HOOK_NAME = "__optiagent_nested__"
_MARK = "__optiagent_nested_raw__"  # on a thin function: (qualname, the nested function itself)
_INDENTED_DEF = re.compile(rb"^[ \t]+def ", re.MULTILINE)


def instrument(source: bytes, path: str, relative: str) -> types.CodeType | None:
    """The module's code with the capture decorator on every nested def; None when it has none
    (the loader then compiles it as usual, from its bytecode cache)."""
    if not hasattr(builtins, HOOK_NAME) or not _INDENTED_DEF.search(source):
        return None  # capture not started in this process (NestedCapture.install), or no nested def
    tree = ast.parse(source, path)
    marker = _Marker(relative)
    marker.visit(tree)
    if not marker.marked:
        return None
    return compile(ast.fix_missing_locations(tree), path, "exec", dont_inherit=True)


class _Marker(ast.NodeTransformer):
    """Adds the capture decorator to nested defs that discovery lists (not in a class that is
    itself inside a function; async ones are not targets)."""

    def __init__(self, relative: str) -> None:
        self.relative = relative
        self.scopes: list[tuple[str, str]] = []
        self.marked = 0

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.scopes.append(("class", node.name))
        self.generic_visit(node)
        self.scopes.pop()
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        self.scopes.append(("function", node.name))
        self.generic_visit(node)
        self.scopes.pop()
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        kinds = [kind for kind, _ in self.scopes]
        if "function" in kinds and "class" not in kinds[kinds.index("function") :]:
            parts = [f"{name}.<locals>" if kind == "function" else name for kind, name in self.scopes]
            key = f"{self.relative}::{'.'.join([*parts, node.name])}"
            hook = ast.Call(ast.Name(HOOK_NAME, ast.Load()), [ast.Constant(key)], [])
            line = node.decorator_list[0] if node.decorator_list else node
            node.decorator_list.append(ast.copy_location(hook, line))
            self.marked += 1
        self.scopes.append(("function", node.name))
        self.generic_visit(node)
        self.scopes.pop()
        return node


class LiveClosure:
    """A nested function's closure as it is now; pickles as a `Closure` snapshot of it."""

    __slots__ = ("function",)

    def __init__(self, function: types.FunctionType) -> None:
        self.function = function

    def __reduce__(self) -> tuple[Any, ...]:
        closure = snapshot(self.function, {}, {})
        return (
            Closure,
            (closure.qualname, closure.names, closure.cells, closure.defaults, closure.kwdefaults),
        )


def snapshot(function: types.FunctionType, memo: dict[int, Closure], cells: dict[int, Cell]) -> Closure:
    """The function's free variables (captured nested functions as `NestedRef`s, cells shared as
    they are), defaults and keyword defaults."""
    if id(function) in memo:
        return memo[id(function)]
    names = function.__code__.co_freevars
    closure = Closure(function.__qualname__, names, [], function.__defaults__, function.__kwdefaults__)
    memo[id(function)] = closure
    for cell in function.__closure__ or ():
        box = cells.get(id(cell))
        if box is None:
            box = cells[id(cell)] = Cell()
            try:
                value = cell.cell_contents
            except ValueError:
                value = EMPTY
            value = _unwrapped(value)
            marked = getattr(value, _MARK, None) if isinstance(value, types.FunctionType) else None
            if marked is not None:
                value = NestedRef(marked[0], snapshot(marked[1], memo, cells))
            box.value = value
        closure.cells.append(box)
    return closure


def _unwrapped(value: Any) -> Any:
    """A capturing wrapper stands for the function it wraps: a decorator's cell holding the
    decorated function got the wrapper (hook.py), and the wrapper carries the recorder."""
    if isinstance(value, types.FunctionType) and value.__code__.co_filename == WRAPPER_FILENAME:
        wrapped = getattr(value, "__wrapped__", None)
        if isinstance(wrapped, types.FunctionType) and not hasattr(value, _MARK):
            return wrapped
    return value


class _Adapter:
    """What the capturing wrapper of one nested function wraps: called with the `LiveClosure`
    first; its code and signature are the nested function's (the profile folds into its code)."""

    def __init__(self, function: types.FunctionType) -> None:
        self._code = function.__code__
        plain = inspect.signature(function)
        first = inspect.Parameter(CLOSURE_PARAMETER, inspect.Parameter.POSITIONAL_ONLY)
        self._signature = plain.replace(parameters=[first, *plain.parameters.values()])
        self.__name__ = function.__name__
        self.__qualname__ = function.__qualname__
        self.__module__ = function.__module__

    @property
    def __code__(self) -> types.CodeType:
        return self._code

    @property
    def __signature__(self) -> inspect.Signature:
        return self._signature

    def __call__(self, closure: LiveClosure, *args: Any, **kwargs: Any) -> Any:
        return closure.function(*args, **kwargs)


def _thin_template() -> Callable[..., Any]:
    recording: Any = None
    raw: Any = None

    def thin(*args: Any, **kwargs: Any) -> Any:
        return recording(LiveClosure(raw), *args, **kwargs)

    return thin


class _Decorator:
    """The capture decorator of one nested function (one capturing wrapper for all its makings)."""

    def __init__(self, key: str, recorder: Recorder, registry: WrapperRegistry) -> None:
        self.key = key
        self.recorder = recorder
        self.registry = registry
        self.recording: Callable[..., Any] | None = None
        self.thin: types.FunctionType | None = None

    def __call__(self, function: Any) -> Any:
        try:
            if not isinstance(function, types.FunctionType) or inspect.iscoroutinefunction(function):
                return function
            if self.thin is None:
                self._prepare(function)
            if self.recording is None or self.thin is None:
                return function
            return self._thin_for(function, self.recording, self.thin)
        except Exception:  # capture must never break the workload
            return function

    def _prepare(self, function: types.FunctionType) -> None:
        self.recording = wrap_function(_Adapter(function), self.key, self.recorder, self.registry)
        thin = _thin_template()
        assert isinstance(thin, types.FunctionType)
        self.registry.unique_code(thin, function)
        self.thin = thin

    @staticmethod
    def _thin_for(
        function: types.FunctionType, recording: Callable[..., Any], thin: types.FunctionType
    ) -> types.FunctionType:
        values = {"recording": recording, "raw": function}
        cells = tuple(types.CellType(values[name]) for name in thin.__code__.co_freevars)
        made = types.FunctionType(thin.__code__, thin.__globals__, function.__name__, None, cells)
        made.__qualname__ = function.__qualname__
        made.__module__ = function.__module__
        made.__doc__ = function.__doc__
        made.__dict__.update(function.__dict__)
        made.__wrapped__ = function  # type: ignore[attr-defined]
        setattr(made, _MARK, (function.__qualname__, function))
        return made


class NestedCapture:
    """Installed in `builtins` under HOOK_NAME: `hook(key)` is the decorator for that function."""

    def __init__(self, recorder: Recorder, registry: WrapperRegistry) -> None:
        self.recorder = recorder
        self.registry = registry
        self.decorators: dict[str, _Decorator] = {}

    def __call__(self, key: str) -> _Decorator:
        decorator = self.decorators.get(key)
        if decorator is None:
            decorator = self.decorators[key] = _Decorator(key, self.recorder, self.registry)
        return decorator

    def install(self) -> None:
        setattr(builtins, HOOK_NAME, self)
