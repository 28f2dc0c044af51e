"""Pickling of captured calls that keeps real receivers: a parser or prober instance holds
modules, functions registered before the capture wrapped them, lambdas and closures in its
attributes, bound methods of name-mangled methods. Plain pickle refuses all of these.

Only the standard library is needed to load what this writes (the check job loads it with plain
`pickle.loads`, under the same interpreter): modules load with `importlib.import_module`,
functions and classes by qualified name (`operator.attrgetter` on their module, mangled names
included), and functions that have no name to be found by (lambdas, nested functions) by value:
their code (`marshal`), their module's globals, defaults and closure cells. A regex match loads
as the pattern call that finds it again.
"""

from __future__ import annotations

import copyreg
import importlib
import io
import marshal
import operator
import pickle
import re
import sys
import types
from typing import Any, ClassVar


def dumps(value: Any, protocol: int) -> bytes:
    """The C pickler with a dispatch table first (most values: as fast as plain pickle); only
    values it refuses go through the per-object `reducer_override` (functions have no table entry:
    the C pickler saves them by name before consulting any table)."""
    buffer = io.BytesIO()
    try:
        _TablePickler(buffer, protocol).dump(value)
    except (pickle.PicklingError, TypeError, AttributeError):
        buffer = io.BytesIO()
        CapturePickler(buffer, protocol).dump(value)
    return buffer.getvalue()


def problem(error: BaseException) -> str:
    """A short reason a value could not be captured."""
    if isinstance(error, RecursionError):
        return "the arguments are nested too deeply (or a closure refers to itself)"
    return f"{type(error).__name__}: {error}"[:300]


class _ModuleGlobals:
    """Stands for a module's namespace: loads as `vars(module)` (dicts cannot be overridden)."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module

    def __reduce__(self) -> tuple[Any, ...]:
        return (vars, (self.module,))


def _module_reduction(module: types.ModuleType) -> tuple[Any, ...]:
    return (importlib.import_module, (module.__name__,))


def _method_reduction(method: types.MethodType) -> tuple[Any, ...]:
    """A bound method as its receiver's attribute; a method made at run time (a nested function a
    constructor put on the class: PLY grammars' `p_x_opt` rules in pycparser) as the function bound
    again, since a fresh process has no such attribute until a constructor runs."""
    function = method.__func__
    if "<locals>" in getattr(function, "__qualname__", ""):
        return (types.MethodType, (function, method.__self__))
    return (getattr, (method.__self__, _mangled(function.__qualname__, function.__name__)))


class _TablePickler(pickle.Pickler):
    dispatch_table: ClassVar[dict[Any, Any]] = {  # type: ignore[misc]
        **copyreg.dispatch_table,
        types.ModuleType: _module_reduction,
        types.MethodType: _method_reduction,
        re.Match: lambda match: _match_reduction(match),
    }


class CapturePickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, types.ModuleType):
            return _module_reduction(obj)
        if isinstance(obj, type) and obj in _TYPE_NAMES:
            return (getattr, (types, _TYPE_NAMES[obj]))
        if isinstance(obj, types.CellType):
            try:
                return (types.CellType, (obj.cell_contents,))
            except ValueError:  # an empty cell
                return (types.CellType, ())
        if isinstance(obj, types.CodeType):
            return (marshal.loads, (marshal.dumps(obj),))
        if isinstance(obj, types.MethodType):
            return _method_reduction(obj)
        if isinstance(obj, types.FunctionType):
            function = _unwrapped(obj)
            found = self._by_name(function)
            if found is NotImplemented and function is not obj:  # by name, but not as the wrapper
                module = sys.modules[function.__module__]
                return (operator.attrgetter(_attribute_path(function.__qualname__)), (module,))
            return found if found is not None else self._by_value(function)
        if isinstance(obj, re.Match):
            return _match_reduction(obj)
        if isinstance(obj, type) and "<locals>" in obj.__qualname__:
            return _local_class_reduction(obj)
        return NotImplemented  # classes by reference, as plain pickle does

    def _by_name(self, obj: types.FunctionType) -> Any:
        """A function its module names: NotImplemented when plain pickle finds it itself; also the
        function a capture wrapper wraps (registered in a table before the module was wrapped)."""
        module_name, qualname = getattr(obj, "__module__", None), obj.__qualname__
        module = sys.modules.get(module_name) if isinstance(module_name, str) else None
        if module is None or "<locals>" in qualname or module_name == "__main__":
            return None
        path = _attribute_path(qualname)
        try:
            found = operator.attrgetter(path)(module)
        except AttributeError:
            return None
        if found is obj and path == qualname:
            return NotImplemented
        if found is obj or getattr(found, "__wrapped__", None) is obj:
            return (operator.attrgetter(path), (module,))
        return None

    def _by_value(self, function: types.FunctionType) -> tuple[Any, ...]:
        module = sys.modules.get(function.__module__) if isinstance(function.__module__, str) else None
        if module is None or function.__module__ == "__main__":
            raise pickle.PicklingError(
                f"function {function.__qualname__} of {function.__module__} cannot be loaded in the check"
            )
        state = {
            "__qualname__": function.__qualname__,
            "__kwdefaults__": function.__kwdefaults__,
            "__module__": function.__module__,
            **function.__dict__,
        }
        arguments = (
            function.__code__,
            _ModuleGlobals(module),
            function.__name__,
            function.__defaults__,
            function.__closure__,
        )
        return (types.FunctionType, arguments, (None, state))


# made again by the metaclass (`_abc_impl`: ABCMeta's registry, of a type pickle refuses)
_SKIPPED_CLASS_ATTRIBUTES = frozenset({"__dict__", "__weakref__", "_abc_impl"})


def _local_class_reduction(cls: type) -> tuple[Any, ...]:
    """A class defined inside a function (pyparsing's `infix_notation.<locals>._FB`, a grammar element
    inside every arithmetic grammar) by value: its metaclass called again with its name, bases and
    namespace (methods by value, like nested functions). Classes are memoized, so instances in one
    pickle share one rebuilt class. Refused (PicklingError) when the metaclass cannot rebuild it
    from its namespace (an Enum), found by rebuilding it once here rather than failing in the check;
    a method whose `super()` cell refers to the class itself recurses (reported as a capture problem)."""
    namespace = {
        name: value
        for name, value in vars(cls).items()
        if name not in _SKIPPED_CLASS_ATTRIBUTES
        # the descriptors of `__slots__` are made again from `__slots__`
        and not (
            isinstance(value, (types.MemberDescriptorType, types.GetSetDescriptorType))
            and getattr(value, "__objclass__", None) is cls
        )
    }
    namespace["__qualname__"] = cls.__qualname__  # a type slot, not in vars(cls)
    arguments = (cls.__name__, cls.__bases__, namespace)
    try:
        type(cls)(*arguments[:2], dict(namespace))
    except Exception as error:
        raise pickle.PicklingError(f"local class {cls.__qualname__} cannot be rebuilt: {error}") from error
    return (type(cls), arguments)


WRAPPER_FILENAME = "<optiagent-capture>"  # the file name of every capture wrapper's code


def _unwrapped(function: types.FunctionType) -> types.FunctionType:
    """A capture wrapper (or a nested function's thin stand-in) pickles as the function it wraps:
    its own closure holds the recorder, locks and all (a parser keeping a bound nested method in a
    table could not be captured: "cannot pickle '_thread.lock' object")."""
    for _ in range(4):
        if function.__code__.co_filename != WRAPPER_FILENAME:
            break
        wrapped = getattr(function, "__wrapped__", None)
        if not isinstance(wrapped, types.FunctionType):
            break
        function = wrapped
    return function


def _match_reduction(match: re.Match[Any]) -> tuple[Any, ...]:
    """A regex match as the pattern call that finds it again: the first of search or match from
    its pos, or match or fullmatch at its span, that reproduces every group's span and pos."""
    string, pos, endpos = match.string, match.pos, match.endpos
    start, end = match.span()
    for name, arguments in (
        ("search", (string, pos, endpos)),
        ("match", (string, start, endpos)),
        ("fullmatch", (string, start, end)),
    ):
        again = getattr(match.re, name)(*arguments)
        if again is not None and again.regs == match.regs and again.pos == pos:
            return (operator.methodcaller(name, *arguments), (match.re,))
    for name, arguments in (("match", (string, start, endpos)), ("fullmatch", (string, start, end))):
        again = getattr(match.re, name)(*arguments)
        if again is not None and again.regs == match.regs:  # the same groups; only .pos differs
            return (operator.methodcaller(name, *arguments), (match.re,))
    raise pickle.PicklingError(f"a match of {match.re.pattern!r} that cannot be found again")


_TYPE_NAMES = {
    types.CellType: "CellType",
    types.FunctionType: "FunctionType",
    types.CodeType: "CodeType",
    types.MethodType: "MethodType",
}


def _mangled(qualname: str, name: str) -> str:
    """The attribute a method is stored under (`_Class__name` for `Class.__name`)."""
    parts = qualname.split(".")
    if len(parts) >= 2 and name.startswith("__") and not name.endswith("__"):
        owner = parts[-2].lstrip("_")
        if owner:
            return f"_{owner}{name}"
    return name


def _attribute_path(qualname: str) -> str:
    """The dotted attribute path of a qualified name, with mangled private names."""
    parts = qualname.split(".")
    return ".".join(_mangled(".".join(parts[: i + 1]), part) for i, part in enumerate(parts))
