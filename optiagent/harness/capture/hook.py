"""An import hook: after a module of the project executes, wrap its top-level functions and the
methods (plain, static, class) of its classes with capturing wrappers."""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

from .nested import instrument as instrument_nested
from .recorder import Recorder
from .wrappers import WRAPPER_FILENAME, WrapperRegistry, wrap_function

# Mirrors the host's discovery: code here is not the project's own.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        "site-packages",
        ".optiagent",
        "build",
        "dist",
        ".tox",
    }
)


class ProjectFiles:
    """Decides which files belong to the project (under root, not in skipped or hidden dirs, not
    tests) and names them relative to the root."""

    def __init__(self, root: str, excluded: Sequence[str]) -> None:
        self.root = os.path.realpath(root)
        self.excluded = [os.path.realpath(path) for path in excluded]

    def relative(self, filename: str | None) -> str | None:
        if not filename or not filename.endswith(".py"):
            return None
        real = os.path.realpath(filename)
        if not real.startswith(self.root + os.sep) or any(real.startswith(e + os.sep) for e in self.excluded):
            return None
        relative = os.path.relpath(real, self.root).replace(os.sep, "/")
        parts = relative.split("/")
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in parts[:-1]):
            return None
        return relative

    def is_test(self, relative: str) -> bool:
        parts = relative.split("/")
        name = parts[-1]
        return (
            name in ("conftest.py", "setup.py")
            or name.startswith("test_")
            or name.endswith("_test.py")
            or any(part in ("tests", "test") for part in parts[:-1])
        )


class CapturingFinder(importlib.abc.MetaPathFinder):
    """Asks the finders after it; for a project source module, swaps in a loader subclass that
    wraps the module's functions once it has executed."""

    def __init__(self, files: ProjectFiles, wrap_module: Callable[[types.ModuleType, str], None]) -> None:
        self._files = files
        self._wrap_module = wrap_module
        self._loader_classes: dict[type, type] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> Any:
        finders = sys.meta_path[sys.meta_path.index(self) + 1 :] if self in sys.meta_path else []
        for finder in finders:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find else None
            if spec is not None:
                return self._capturing(spec)
        return None

    def _capturing(self, spec: importlib.machinery.ModuleSpec) -> importlib.machinery.ModuleSpec:
        loader = spec.loader
        relative = self._files.relative(spec.origin)
        if relative is None or self._files.is_test(relative):
            return spec
        if not isinstance(loader, importlib.machinery.SourceFileLoader):
            return spec
        spec.loader = self._subclass(type(loader), relative)(loader.name, loader.path)
        return spec

    def _subclass(self, base: type, relative: str) -> Callable[[str, str], importlib.abc.Loader]:
        wrap_module = self._wrap_module

        class CapturingLoader(base):  # type: ignore[misc]  # a SourceFileLoader subclass
            def get_code(self, fullname: str) -> types.CodeType | None:
                """The code with nested functions instrumented (capture/nested.py), if it has any."""
                try:
                    path = self.get_filename(fullname)
                    code = instrument_nested(self.get_data(path), path, relative)
                except Exception:  # compiled as usual: capture must never break an import
                    code = None
                return code if code is not None else super().get_code(fullname)

            def exec_module(self, module: types.ModuleType) -> None:
                super().exec_module(module)
                wrap_module(module, relative)

        CapturingLoader.__qualname__ = CapturingLoader.__name__ = base.__name__
        return CapturingLoader


def wrap_module_functions(
    module: types.ModuleType, relative: str, recorder: Recorder, registry: WrapperRegistry
) -> None:
    """Replaces the module's own functions and its classes' methods by capturing wrappers."""
    filename = getattr(module, "__file__", None) or ""
    for name, value in list(vars(module).items()):
        if isinstance(value, types.FunctionType) and not _is_own(value, name, filename):
            _wrap_decorated(value, name, module.__name__, filename, relative, recorder, registry)
            continue
        if (
            getattr(value, "__module__", None) != module.__name__
            or getattr(value, "__qualname__", None) != name
        ):
            continue  # imported from elsewhere, or an alias
        if isinstance(value, types.FunctionType):
            wrapper = wrap_function(value, f"{relative}::{name}", recorder, registry)
            if wrapper is not None:
                setattr(module, name, wrapper)
        elif isinstance(value, type):
            _wrap_class(value, relative, recorder, registry)


def _is_own(function: types.FunctionType, qualname: str, filename: str) -> bool:
    """The function defined as `qualname` in this file itself (not a decorator's wrapper of it)."""
    code = function.__code__
    return (
        function.__qualname__ == qualname
        and code.co_name == qualname.rsplit(".", 1)[-1]
        and (code.co_filename == filename or os.path.realpath(code.co_filename) == os.path.realpath(filename))
    )


def _wrap_decorated(
    value: types.FunctionType,
    qualname: str,
    module_name: str,
    filename: str,
    relative: str,
    recorder: Recorder,
    registry: WrapperRegistry,
) -> bool:
    """A decorated function (`@recurse(...) def group(tlist)`: the module's name is bound to the
    decorator's inner function) is captured where the decorator keeps the original: the closure
    cell that holds it gets the capturing wrapper. Layers of decorators are searched, and
    `__wrapped__` (functools.wraps) is followed. False when no such cell is found."""
    frontier: list[Any] = [value]
    seen: set[int] = set()
    for _ in range(_DECORATOR_DEPTH):
        found_next: list[Any] = []
        for function in frontier:
            if id(function) in seen:
                continue
            seen.add(id(function))
            for cell in getattr(function, "__closure__", None) or ():
                try:
                    content = cell.cell_contents
                except ValueError:  # an empty cell
                    continue
                if (
                    not isinstance(content, types.FunctionType)
                    or content.__code__.co_filename == WRAPPER_FILENAME
                ):
                    continue  # not a function, or already our wrapper (the name is bound twice)
                if content.__module__ == module_name and _is_own(content, qualname, filename):
                    wrapper = wrap_function(content, f"{relative}::{qualname}", recorder, registry)
                    if wrapper is None:
                        return False
                    cell.cell_contents = wrapper
                    return True
                found_next.append(content)
            wrapped = getattr(function, "__wrapped__", None)
            if isinstance(wrapped, types.FunctionType):
                found_next.append(wrapped)
        frontier = found_next
    return False


_DECORATOR_DEPTH = 3
# Dunders never wrapped: the pickle and copy protocols (capture pickles receivers, so a wrapper
# would run inside its own bookkeeping), object creation and finalization, class-level hooks, and
# attribute lookup itself (every attribute read would pass through a wrapper). The others
# (`__init__`, `__eq__`, `__hash__`, `__iter__`, `__getitem__`, ...) are targets like any method.
UNWRAPPED_DUNDERS = frozenset(
    {
        "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__", "__getnewargs__",
        "__getnewargs_ex__", "__copy__", "__deepcopy__", "__new__", "__del__", "__init_subclass__",
        "__class_getitem__", "__set_name__", "__getattribute__", "__subclasshook__", "__dict__",
        "__weakref__", "__module__", "__qualname__", "__doc__",
    }
)  # fmt: skip


def _wrap_class(cls: type, relative: str, recorder: Recorder, registry: WrapperRegistry) -> None:
    # `__name` in a class body is stored as `_Class__name`; discovery and the compiler's qualname
    # say `Class.__name`, so calls are recorded under that name.
    mangled_prefix = f"_{cls.__name__.lstrip('_')}__"
    wrapped: dict[int, Any] = {}  # id of a function wrapped here -> its replacement
    for name, value in list(vars(cls).items()):
        if name in UNWRAPPED_DUNDERS:
            continue  # generated dunders are not the module's own: `_is_own` leaves them
        if id(value) in wrapped:  # an alias in the class body (`__radd__ = __add__`): same wrapper
            with contextlib.suppress(AttributeError, TypeError):
                setattr(cls, name, wrapped[id(value)])
            continue
        source_name = name[len(mangled_prefix) - 2 :] if name.startswith(mangled_prefix) else name
        qualname = f"{cls.__qualname__}.{source_name}"
        if isinstance(value, type) and value.__qualname__ == qualname:
            _wrap_class(value, relative, recorder, registry)
            continue
        function = value.__func__ if isinstance(value, staticmethod | classmethod) else value
        if not isinstance(function, types.FunctionType):
            continue
        filename = getattr(sys.modules.get(cls.__module__), "__file__", None) or ""
        if not _is_own(function, qualname, filename):
            _wrap_decorated(function, qualname, cls.__module__, filename, relative, recorder, registry)
            continue
        wrapper = wrap_function(function, f"{relative}::{qualname}", recorder, registry)
        if wrapper is None:
            continue
        replacement = type(value)(wrapper) if isinstance(value, staticmethod | classmethod) else wrapper
        wrapped[id(value)] = replacement
        with contextlib.suppress(AttributeError, TypeError):  # classes that refuse attribute updates
            setattr(cls, name, replacement)
