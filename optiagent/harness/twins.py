"""A candidate module that keeps the original's classes.

A candidate's text runs as a twin of the original module (`loading.load_candidate`), so its class
statements make class objects of their own, while every object a call is given was made by the
original module. An `isinstance(other, Interval)` in the candidate's `__eq__` (or in any function
of the module handed one of its own instances) would then be False, and the original's own text,
checked as a candidate of itself, would be rejected.

So each class of the twin with a counterpart in the original (same qualified name; same bases,
metaclass and slots once mapped; an enum with the same members) is replaced, in the twin's
namespace, by the original class; what the candidate's class body defined (methods, class
attributes, every function among them: a method runs on its own module's globals) is installed
on the original class only while the candidate runs (`CandidateClasses.active`) and the
original's attributes are put back after. Identities are the
original's everywhere: in captured arguments, in other modules' isinstance checks, and in
subclasses defined elsewhere (they inherit the installed methods and keep their overrides).
Comparisons run after the call, on the original's attributes: a candidate's `__eq__` never judges
its own results. A class whose header the candidate changed keeps its twin class (receivers.py
then re-classes receivers to it).
"""

from __future__ import annotations

import contextlib
import enum
import functools
import types
from collections.abc import Callable, Iterator
from typing import Any

_SPECIAL = frozenset({"__dict__", "__weakref__", "__module__", "__qualname__", "__doc__", "__slotnames__"})
_IMMUTABLE = (int, float, complex, str, bytes, bool, type(None), range)
_MISSING: Any = object()
_TWIN_KEY = "__optiagent_classes__"  # where a twin keeps its view (ModuleState skips dunder names)
_CLOSURE_DEPTH = 3


class CandidateClasses:
    """The twin's classes mapped onto the original's, and the attribute changes to install."""

    def __init__(self, original: types.ModuleType, twin: types.ModuleType) -> None:
        self.pairs = _compatible(_same_named(original, twin))
        self._changes: list[tuple[type, str, Any, Any]] = []  # (class, name, candidate, original)
        self._depth = 0
        for candidate, kept in list(self.pairs.items()):
            changes = self._changes_of(candidate, kept)
            if _installable(changes):
                self._changes += changes
            else:  # a class that refuses them: the candidate keeps its own class
                del self.pairs[candidate]
        # What is installed are copies whose `super()` names the original class; the twin's own
        # functions stay as they are, for twin instances the remapping below cannot reach.
        self._changes = [
            (kept, name, _rebound(value, self.pairs, {}) if value is not _MISSING else value, old)
            for kept, name, value, old in self._changes
        ]
        _remap_objects(vars(twin), self.pairs)
        for _, _, value, _ in self._changes:
            _remap_defaults(value, self.pairs)
        vars(twin)[_TWIN_KEY] = self

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """The candidate's class attributes installed on the original classes (re-entrant)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            _install(self._changes)
            yield
        finally:
            _restore(self._changes)
            self._depth = 0

    def activating(self, lookup: Callable[[], Any]) -> Callable[..., Any]:
        """A callable that looks the candidate's function up and calls it with the candidate's
        classes installed (a generator is advanced with them installed too)."""
        with self.active():
            found = lookup()

        def call(*args: Any, **kwargs: Any) -> Any:
            with self.active():
                result = lookup()(*args, **kwargs)
            if isinstance(result, types.GeneratorType):
                return self._iterate(result)
            return result

        with contextlib.suppress(Exception):
            functools.update_wrapper(call, found)
        return call

    def _iterate(self, generator: types.GeneratorType[Any, Any, Any]) -> Iterator[Any]:
        while True:
            with self.active():
                try:
                    item = next(generator)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
            yield item

    def candidate_values(self) -> list[Any]:
        """What the candidate installs (caches among them are cleared between calls)."""
        return [value for _, _, value, _ in self._changes if value is not _MISSING]

    def _changes_of(self, candidate: type, kept: type) -> list[tuple[type, str, Any, Any]]:
        code_only = isinstance(kept, enum.EnumMeta)  # members and their tables stay the original's
        skipped = _SPECIAL | _slot_names(candidate)
        changes: list[tuple[type, str, Any, Any]] = []
        for name, value in vars(candidate).items():
            if name in skipped or (code_only and not _is_code(value)):
                continue
            if isinstance(value, type) and value in self.pairs:
                continue  # a nested class: mapped on its own
            old = vars(kept).get(name, _MISSING)
            if not _same(old, value):
                changes.append((kept, name, value, old))
        for name, value in vars(kept).items():
            removed = name not in vars(candidate) and name not in skipped
            if removed and (not code_only or _is_code(value)) and not _mapped_class(value, self.pairs):
                changes.append((kept, name, _MISSING, value))  # removed by the candidate
        return changes


def _mapped_class(value: Any, pairs: dict[type, type]) -> bool:
    return isinstance(value, type) and any(value is kept for kept in pairs.values())


def candidate_classes(module: types.ModuleType) -> CandidateClasses | None:
    """The view a twin module was loaded with, or None (the original module)."""
    found = vars(module).get(_TWIN_KEY)
    return found if isinstance(found, CandidateClasses) else None


def _same_named(original: types.ModuleType, twin: types.ModuleType) -> dict[type, type]:
    """Twin class -> original class, for every class the original defines at module level or
    nested in its classes, that the twin defines under the same qualified name."""
    pairs: dict[type, type] = {}
    stack: list[tuple[dict[str, Any], dict[str, Any], str]] = [(vars(original), vars(twin), "")]
    while stack:
        kept_names, candidate_names, prefix = stack.pop()
        for name, kept in list(kept_names.items()):
            candidate = candidate_names.get(name)
            qualname = f"{prefix}{name}"
            if not (isinstance(kept, type) and isinstance(candidate, type)) or kept is candidate:
                continue
            if kept.__module__ != original.__name__ or kept.__qualname__ != qualname:
                continue
            if candidate.__qualname__ != qualname or candidate in pairs:
                continue
            pairs[candidate] = kept
            stack.append((dict(vars(kept)), dict(vars(candidate)), f"{qualname}."))
    return pairs


def _compatible(pairs: dict[type, type]) -> dict[type, type]:
    """The pairs whose headers agree once mapped (bases, metaclass, slots, enum members); a pair
    dropped can make others disagree, so this runs to a fixed point."""
    kept = dict(pairs)
    changed = True
    while changed:
        changed = False
        for candidate, original in list(kept.items()):
            if not _same_header(candidate, original, kept):
                del kept[candidate]
                changed = True
    return kept


def _same_header(candidate: type, original: type, pairs: dict[type, type]) -> bool:
    bases = tuple(pairs.get(base, base) for base in candidate.__bases__)
    if bases != original.__bases__ or pairs.get(type(candidate), type(candidate)) is not type(original):
        return False
    if _slot_names(candidate) != _slot_names(original):
        return False
    if isinstance(original, enum.EnumMeta) and isinstance(candidate, enum.EnumMeta):
        return _members(candidate) == _members(original)
    return True


def _members(cls: enum.EnumMeta) -> list[tuple[str, Any]]:
    members: dict[str, Any] = dict(cls.__members__)
    return [(name, member.value) for name, member in members.items()]


def _slot_names(cls: type) -> frozenset[str]:
    """The class's slots as stored (private names mangled), and `__slots__` itself when declared."""
    if "__slots__" not in vars(cls):
        return frozenset()
    slots = vars(cls)["__slots__"]
    names = (slots,) if isinstance(slots, str) else tuple(slots)
    prefix = f"_{cls.__name__.lstrip('_')}"
    stored = {f"{prefix}{n}" if n.startswith("__") and not n.endswith("__") else n for n in names}
    return frozenset(stored | {"__slots__"})


def _is_code(value: Any) -> bool:
    return isinstance(value, types.FunctionType | staticmethod | classmethod | property)


def _same(old: Any, new: Any) -> bool:
    """Nothing to install: the same code with the same defaults and globals, or an equal immutable
    constant. A twin's functions never share the original's globals, so each one is installed even
    when its code is unchanged: sharing the original's would have the candidate's method call the
    original's helpers (a candidate changing one went unchecked) and write the original module's
    globals, where what the candidate's call changed is never looked for (PLY's unchanged
    `LRParser.parse` left `_errok` bound in the original module: its self-check failed)."""
    if old is _MISSING:
        return False
    if type(old) is not type(new):
        return False
    if isinstance(old, staticmethod | classmethod):
        return _same(old.__func__, new.__func__)
    if isinstance(old, property):
        return all(_same(a, b) if a is not None else b is None for a, b in _accessors(old, new))
    if isinstance(old, types.FunctionType):
        return (
            old.__code__ == new.__code__
            and old.__globals__ is new.__globals__
            and old.__closure__ is None
            and new.__closure__ is None
            and _equal_immutables(old.__defaults__, new.__defaults__)
            and _equal_immutables(old.__kwdefaults__, new.__kwdefaults__)
        )
    return _equal_immutables(old, new)


def _accessors(old: property, new: property) -> list[tuple[Any, Any]]:
    return [(old.fget, new.fget), (old.fset, new.fset), (old.fdel, new.fdel)]


def _equal_immutables(old: Any, new: Any) -> bool:
    """Equal values that cannot change: sharing them is the same as installing the candidate's."""
    if type(old) is not type(new):
        return False
    if isinstance(old, tuple | frozenset):
        if len(old) != len(new):
            return False
        if isinstance(old, frozenset):
            return all(type(x) in _IMMUTABLE for x in old) and old == new
        return all(_equal_immutables(a, b) for a, b in zip(old, new, strict=True))
    if isinstance(old, dict):  # kwdefaults
        return old.keys() == new.keys() and all(_equal_immutables(old[k], new[k]) for k in old)
    return type(old) in _IMMUTABLE and old == new and (old == old)  # NaN: install


def _installable(changes: list[tuple[type, str, Any, Any]]) -> bool:
    try:
        _install(changes)
    except (AttributeError, TypeError):
        _restore(changes)
        return False
    _restore(changes)
    return True


def _install(changes: list[tuple[type, str, Any, Any]]) -> None:
    for cls, name, value, _ in changes:
        if value is _MISSING:
            if name in vars(cls):
                type.__delattr__(cls, name)
        else:
            type.__setattr__(cls, name, value)


def _restore(changes: list[tuple[type, str, Any, Any]]) -> None:
    for cls, name, value, old in reversed(changes):
        with contextlib.suppress(AttributeError, TypeError):
            if old is _MISSING:
                if name in vars(cls) and vars(cls)[name] is value:
                    type.__delattr__(cls, name)
            else:
                type.__setattr__(cls, name, old)


def _functions_in(value: Any, depth: int = 0) -> Iterator[types.FunctionType]:
    """Functions reachable from a class attribute: the function itself, the functions a
    staticmethod, classmethod or property holds, and those its decorators keep in closures."""
    if depth > _CLOSURE_DEPTH:
        return
    if isinstance(value, staticmethod | classmethod):
        yield from _functions_in(value.__func__, depth + 1)
    elif isinstance(value, property):
        for accessor in (value.fget, value.fset, value.fdel):
            yield from _functions_in(accessor, depth + 1)
    elif isinstance(value, types.FunctionType):
        yield value
        for cell in value.__closure__ or ():
            with contextlib.suppress(ValueError):  # an empty cell
                yield from _functions_in(cell.cell_contents, depth + 1)
        yield from _functions_in(getattr(value, "__wrapped__", None), depth + 1)


def _rebound(value: Any, pairs: dict[type, type], memo: dict[int, Any], depth: int = 0) -> Any:
    """A copy of a class attribute whose functions' `__class__` cells (what `super()` and
    `__class__` read) name the original class instead of the twin's, through staticmethod,
    classmethod, property, `__wrapped__` and the closures decorators keep functions in; the value
    itself when nothing in it names a twin class."""
    if id(value) in memo:
        return memo[id(value)]
    result = value
    if depth <= _CLOSURE_DEPTH:
        if isinstance(value, staticmethod | classmethod):
            inner = _rebound(value.__func__, pairs, memo, depth + 1)
            result = type(value)(inner) if inner is not value.__func__ else value
        elif isinstance(value, property):
            parts = [
                _rebound(f, pairs, memo, depth + 1) if f is not None else None for f in _accessors_of(value)
            ]
            if any(a is not b for a, b in zip(parts, _accessors_of(value), strict=True)):
                result = property(parts[0], parts[1], parts[2], value.__doc__)
        elif isinstance(value, types.FunctionType):
            result = _rebound_function(value, pairs, memo, depth)
    memo[id(value)] = result
    return result


def _accessors_of(value: property) -> list[Any]:
    return [value.fget, value.fset, value.fdel]


def _rebound_function(
    function: types.FunctionType, pairs: dict[type, type], memo: dict[int, Any], depth: int
) -> types.FunctionType:
    cells: list[types.CellType] = []
    changed = False
    for name, cell in zip(function.__code__.co_freevars, function.__closure__ or (), strict=False):
        try:
            content = cell.cell_contents
        except ValueError:  # an empty cell: shared as it is
            cells.append(cell)
            continue
        if name == "__class__" and isinstance(content, type) and content in pairs:
            replacement: Any = pairs[content]
        else:
            replacement = _rebound(content, pairs, memo, depth + 1)
        if replacement is content:
            cells.append(cell)  # shared with the twin's function: `nonlocal` state stays one
        else:
            cells.append(types.CellType(replacement))
            changed = True
    wrapped = getattr(function, "__wrapped__", None)
    new_wrapped = _rebound(wrapped, pairs, memo, depth + 1) if wrapped is not None else None
    if not changed and new_wrapped is wrapped:
        return function
    copy_ = types.FunctionType(
        function.__code__, function.__globals__, function.__name__, function.__defaults__, tuple(cells)
    )
    copy_.__kwdefaults__ = function.__kwdefaults__
    copy_.__dict__.update(function.__dict__)
    copy_.__qualname__ = function.__qualname__
    copy_.__module__ = function.__module__
    copy_.__doc__ = function.__doc__
    copy_.__annotations__ = function.__annotations__
    if new_wrapped is not wrapped:
        copy_.__wrapped__ = new_wrapped  # type: ignore[attr-defined]
    return copy_


_NOT_WALKED = (*_IMMUTABLE, type, types.ModuleType, types.FunctionType)
_REMAP_BUDGET = 200_000  # objects visited in a twin's namespace (idna's tables, pyparsing's grammars)


def _remap_objects(namespace: dict[str, Any], pairs: dict[type, type]) -> None:
    """Everything the twin's import made, on the original's classes: names and tables of classes,
    enum members, and instances (re-classed: a module-level grammar element and the elements it
    holds). A walk through containers and instance attributes, never into modules, classes or
    functions (their defaults aside), within a budget of objects."""
    if not pairs:
        return
    seen: set[int] = set()
    stack: list[Any] = [namespace]
    for name, value in list(namespace.items()):
        if isinstance(value, types.FunctionType) and not (name.startswith("__") and name.endswith("__")):
            _remap_defaults(value, pairs)
    while stack and len(seen) < _REMAP_BUDGET:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if type(value) in pairs:
            with contextlib.suppress(TypeError):
                value.__class__ = pairs[type(value)]
        if isinstance(value, dict):
            for key, item in list(value.items()):
                if (
                    value is namespace
                    and isinstance(key, str)
                    and key.startswith("__")
                    and key.endswith("__")
                ):
                    continue
                replacement = _replacement(item, pairs)
                if replacement is not item:
                    value[key] = replacement
                stack.append(replacement)
        elif type(value) is list:
            for index, item in enumerate(value):
                replacement = _replacement(item, pairs)
                if replacement is not item:
                    value[index] = replacement
                stack.append(replacement)
        elif isinstance(value, tuple | set | frozenset):
            stack.extend(value)
        elif not isinstance(value, _NOT_WALKED):
            attributes = getattr(value, "__dict__", None)
            if isinstance(attributes, dict):
                stack.append(attributes)


def _replacement(value: Any, pairs: dict[type, type]) -> Any:
    """What a container holds instead: the original class, enum member, or a tuple/set of them."""
    if isinstance(value, type):
        return pairs.get(value, value)
    if isinstance(value, enum.Enum) and type(value) in pairs:
        return pairs[type(value)][value.name]  # type: ignore[index]
    if type(value) in (tuple, frozenset, set):
        items = [_replacement(item, pairs) for item in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            if type(value) is set:
                value.clear()
                value.update(items)
                return value
            return type(value)(items)
    return value


def _remap_defaults(value: Any, pairs: dict[type, type]) -> None:
    """Defaults naming a twin class (`kind=Square`) name the original's."""
    for function in _functions_in(value):
        defaults = function.__defaults__ or ()
        mapped = tuple(_replacement(d, pairs) for d in defaults)
        if any(a is not b for a, b in zip(mapped, defaults, strict=True)):
            function.__defaults__ = mapped
        keywords = function.__kwdefaults__ or {}
        if any(_replacement(d, pairs) is not d for d in keywords.values()):
            function.__kwdefaults__ = {k: _replacement(d, pairs) for k, d in keywords.items()}
