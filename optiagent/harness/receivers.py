"""The class a method's receiver runs on in a candidate (or in a twin of the original).

A captured receiver is an instance of the original module's classes, often of a subclass of the
target's class (a `Latin1Prober` whose `CharSetProber.feed_all` is the target). Re-classing it to
the candidate's copy of the target's class would drop the subclass's overrides. Instead each
receiver class is mapped to the candidate's view of it:

- the target's class, or a subclass defined in the target module: the candidate module's class of
  the same qualified name (the candidate's text is the whole module, other methods included);
- a subclass defined elsewhere: a rebuilt class with the same name, attributes and overrides, whose
  bases are mapped the same way (methods using `super()` get a `__class__` cell for the rebuilt
  class, so `super()` keeps working);
- anything else (not a subclass of the target's class): left as it is.

When a receiver cannot take the mapped class (an incompatible layout), it keeps its own class and
the candidate's function is still the one called.

Usually nothing is re-classed: a candidate keeps the original's classes, its class bodies
installed on them while it runs (twins.py), so the candidate module's class of the same name is
the receiver's own and every mapping is the identity. Only a class whose header the candidate
changed (bases, slots, metaclass) is a twin class of its own, and receivers are re-classed to it.
"""

from __future__ import annotations

import types
from typing import Any

from .copying import fresh_copy
from .loading import attribute_name, resolve

_NOT_COPIED = frozenset({"__dict__", "__weakref__"})


class ReceiverClasses:
    def __init__(self, owner: type, original: types.ModuleType, candidate: types.ModuleType) -> None:
        self.owner = owner
        self.original = original
        self.candidate = candidate
        self._mapped: dict[type, type] = {}

    def adopt_call(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The call with its receiver (`args[0]`) on its class's candidate view: one deep copy of
        the whole call, then the copy's receiver re-classed (the call itself if nothing changes).

        Copying the receiver alone would cut what it shares with the other arguments: a
        formatter whose `self._curr_stmt` holds the token list passed as `tlist` finds `tlist`'s
        tokens in it by identity, and on a separate copy finds none (a false rejection)."""
        if not args:
            return args, kwargs
        mapped = self._mapped_class(args[0])
        if mapped is None:
            return args, kwargs
        copied_args, copied_kwargs = fresh_copy((args, kwargs))
        try:
            copied_args[0].__class__ = mapped
        except TypeError:
            return args, kwargs
        return copied_args, copied_kwargs

    def _mapped_class(self, receiver: Any) -> type | None:
        """The class the receiver runs on in the candidate, or None when it keeps its own."""
        cls = type(receiver)
        try:
            mapped = self.map(cls)
        except Exception:  # a class that cannot be rebuilt: keep its own
            return None
        return None if mapped is cls else mapped

    def map(self, cls: type) -> type:
        if cls in self._mapped:
            return self._mapped[cls]
        mapped = self._counterpart(cls) if _subclass(cls, self.owner) else cls
        if mapped is None:
            mapped = self._rebuilt(cls)
        self._mapped[cls] = mapped
        return mapped

    def _counterpart(self, cls: type) -> type | None:
        """The candidate's class of the same name, for a class of the target module."""
        if cls.__module__ != self.original.__name__:
            return None
        try:
            if resolve(self.original, cls.__qualname__) is not cls:
                return None
            found = resolve(self.candidate, cls.__qualname__)
        except AttributeError:
            return None
        return found if isinstance(found, type) else None

    def _rebuilt(self, cls: type) -> type:
        bases = tuple(self.map(base) for base in cls.__bases__)
        if bases == cls.__bases__:
            return cls
        cells: list[types.CellType] = []
        namespace = _namespace(cls, cells)
        rebuilt: type = type(cls)(cls.__name__, bases, namespace)
        for cell in cells:
            cell.cell_contents = rebuilt
        return rebuilt


def _subclass(cls: type, owner: type) -> bool:
    try:
        return issubclass(cls, owner)
    except TypeError:
        return False


def _namespace(cls: type, cells: list[types.CellType]) -> dict[str, Any]:
    slots = cls.__dict__.get("__slots__", ())
    slot_names = {attribute_name(cls, s) for s in ((slots,) if isinstance(slots, str) else slots)}
    namespace: dict[str, Any] = {"__qualname__": cls.__qualname__}
    for name, value in vars(cls).items():
        if name in _NOT_COPIED or name in slot_names:
            continue
        namespace[name] = _with_class_cell(value, cells)
    return namespace


def _with_class_cell(value: Any, cells: list[types.CellType]) -> Any:
    """The attribute with `super()`'s `__class__` cell pointing at the rebuilt class."""
    if isinstance(value, types.FunctionType):
        code = value.__code__
        if "__class__" not in code.co_freevars or value.__closure__ is None:
            return value
        closure = list(value.__closure__)
        cell = types.CellType()
        cells.append(cell)
        closure[code.co_freevars.index("__class__")] = cell
        function = types.FunctionType(
            code, value.__globals__, value.__name__, value.__defaults__, tuple(closure)
        )
        function.__kwdefaults__ = value.__kwdefaults__
        function.__dict__.update(value.__dict__)
        function.__qualname__ = value.__qualname__
        function.__annotations__ = value.__annotations__
        return function
    if isinstance(value, staticmethod):
        return staticmethod(_with_class_cell(value.__func__, cells))
    if isinstance(value, classmethod):
        return classmethod(_with_class_cell(value.__func__, cells))
    if isinstance(value, property):
        getter, setter, deleter = (
            _with_class_cell(f, cells) if f is not None else None
            for f in (value.fget, value.fset, value.fdel)
        )
        return property(getter, setter, deleter, value.__doc__)
    return value
