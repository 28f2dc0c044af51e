"""Deep behavioural equality used to compare an original's and a candidate's results.

Floats compare with a relative tolerance (NaN equals NaN); sets and dicts by content. The original
and the candidate are two module instances, so their functions, classes and modules are never the
same objects: those compare by qualified name (module + qualname). Instances compare by type
(module + qualname) and state, recursively: their pickling reduction (which covers __slots__,
C types such as ElementTree elements and objects whose __eq__ is identity), else their attributes.
The walk is iterative and remembers every pair of objects it has started comparing, so cycles
(a parser whose state points back at its owner) and deep structures end. Mutable objects must also
be shared alike: each one on one side is paired with exactly one on the other, so a candidate that
stores the caller's list where the original stored a copy of it (or the reverse) differs, as a
later mutation through either name would show.
"""

from __future__ import annotations

import math
import re
import types
import warnings
from collections.abc import Mapping
from typing import Any

_REL_TOL = 1e-9
_ATOMS = (str, bytes, int, bool, type(None), range, type(Ellipsis), type(NotImplemented))
_NAMED = (
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.ModuleType,
    types.MethodDescriptorType,
    types.WrapperDescriptorType,
    types.ClassMethodDescriptorType,
    type,
)
_MATCHED_SET_LIMIT = 64  # sets of unhashable-by-value elements are matched pairwise up to this size


def same_type_identity(a: object, b: object) -> bool:
    ta, tb = type(a), type(b)
    return ta is tb or (ta.__module__ == tb.__module__ and ta.__qualname__ == tb.__qualname__)


def qualified_name(value: object) -> tuple[str, str] | None:
    """(module, qualname) of a function, class, method or module; None for other values."""
    if isinstance(value, types.ModuleType):
        return ("<module>", value.__name__)
    if isinstance(value, types.MethodType):
        return qualified_name(value.__func__)
    if isinstance(value, _NAMED) or _is_cache_wrapper(value):
        module = getattr(value, "__module__", None) or ""
        name = getattr(value, "__qualname__", None) or getattr(value, "__name__", "")
        return (str(module), str(name))
    return None


def _is_cache_wrapper(value: object) -> bool:
    """functools.lru_cache/cache wrappers: the function they wrap is what identifies them."""
    return type(value).__name__ == "_lru_cache_wrapper" and hasattr(value, "__wrapped__")


def _floats_equal(a: float, b: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    return a == b or math.isclose(a, b, rel_tol=_REL_TOL, abs_tol=0.0)


def _plain_instance(cls: type) -> bool:
    """Instances pickled by their __dict__ alone (no custom reduction, no slots): the dict is the state."""
    plain = _PLAIN.get(cls)
    if plain is None:
        getstate = getattr(cls, "__getstate__", None)
        plain = (
            getattr(cls, "__reduce_ex__", None) is _OBJECT_REDUCE_EX
            and getattr(cls, "__reduce__", None) is _OBJECT_REDUCE
            and getattr(getstate, "__qualname__", "object.__getstate__") == "object.__getstate__"
            and "__slots__" not in {name for klass in cls.__mro__ for name in vars(klass)}
            and "__dict__" in {name for klass in cls.__mro__ for name in vars(klass)}
        )
        _PLAIN[cls] = plain
    return plain


_PLAIN: dict[type, bool] = {}
_OBJECT_REDUCE_EX: Any = object.__reduce_ex__
_OBJECT_REDUCE: Any = object.__reduce__


def _state(value: object) -> Any:
    """What pickling would keep of an instance (constructor arguments and state), else its
    attributes; None when nothing is visible."""
    if _plain_instance(type(value)):
        return value.__dict__
    if isinstance(value, re.Match):  # no pickling support: what it matched, where, in what
        return ("<match>", value.re, value.string, value.pos, value.endpos, value.regs)
    try:
        reduced = value.__reduce_ex__(4)
    except Exception:
        reduced = None
    if isinstance(reduced, tuple) and len(reduced) >= 2:
        parts = list(reduced[1:])
        for index in (2, 3):  # list and dict items come as iterators
            if len(parts) > index and parts[index] is not None:
                try:
                    parts[index] = list(parts[index])
                except Exception:
                    parts[index] = None
        return ("<reduced>", qualified_name(reduced[0]) or reduced[0], *parts)
    slots = getattr(type(value), "__slots__", None)
    if slots:
        names = (slots,) if isinstance(slots, str) else slots
        return {name: getattr(value, name, None) for name in names}
    return getattr(value, "__dict__", None)


def _numpy_equal(a: Any, b: Any) -> bool | None:
    module = type(a).__module__
    if not module.startswith("numpy"):
        return None
    import numpy  # only reached when the code under test already uses numpy

    if isinstance(a, numpy.ndarray):
        if not isinstance(b, numpy.ndarray) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind in "fc":
            return bool(numpy.allclose(a, b, rtol=_REL_TOL, atol=0.0, equal_nan=True))
        return bool(numpy.array_equal(a, b))
    return None


_BUILTIN_CONTAINERS = frozenset({"sequence", "mapping", "set"})
_KINDS: dict[type, str] = {}


def _kind_of(cls: type) -> str:
    """How values of a type are compared (cached per type: the walk visits many of each)."""
    builtin = cls.__module__ == "builtins"
    if issubclass(cls, _ATOMS):
        kind = "atom"
    elif issubclass(cls, (float, complex)):
        kind = "float"
    elif issubclass(cls, _NAMED) or cls.__name__ == "_lru_cache_wrapper":
        kind = "named"
    elif issubclass(cls, (list, tuple)):
        kind = "sequence" if builtin else "list_subclass"
    elif issubclass(cls, dict):
        kind = "mapping" if builtin else "dict_subclass"
    elif issubclass(cls, Mapping) and builtin:
        kind = "mapping"
    # Other classes registered as mappings (pyparsing's ParseResults) need not iterate their keys:
    # compared by state like any instance.
    elif issubclass(cls, (set, frozenset)):
        kind = "set"
    elif hasattr(cls, "__iter__") and hasattr(cls, "__next__"):
        kind = "iterator"
    elif cls.__module__.startswith("numpy"):
        kind = "numpy"
    else:
        kind = "instance"
    _KINDS[cls] = kind
    return kind


_PLAIN_VALUES = frozenset({str, bytes, int, bool, float, complex, type(None), range})


def _plain_values(container: Any, kind: str) -> bool:
    """Every element (every value of a mapping) is an immutable plain value."""
    items = container.values() if kind == "mapping" else container
    return set(map(type, items)) <= _PLAIN_VALUES


def _typed(container: Any, kind: str) -> Any:
    """The container's contents with each value's type: `==` alone takes `[1]` for `[1.0]` or
    `[True]`, which the walk (and `deep_equal(1, 1.0)`) tells apart."""
    if kind == "mapping":
        return {(type(key), key): type(value) for key, value in container.items()}
    if kind == "set":
        return {(type(item), item) for item in container}
    return [type(item) for item in container]


def _aliasable(cls: type, kind: str) -> bool:
    """Mutable values, whose sharing is behaviour (tuples, frozensets and named tuples are not;
    numpy views and iterators are left to their own comparisons)."""
    return kind not in ("iterator", "numpy") and not issubclass(cls, (tuple, frozenset))


def _numbers_equal(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return _floats_equal(a, b)
    if isinstance(a, complex) and isinstance(b, complex):
        return _floats_equal(a.real, b.real) and _floats_equal(a.imag, b.imag)
    return False


def _key_token(key: object) -> object:
    """A hashable stand-in for a dict key or set element that is equal across module instances."""
    name = qualified_name(key)
    if name is not None:
        return ("<named>", *name)
    if isinstance(key, tuple):
        return tuple(_key_token(item) for item in key)
    return key


def deep_equal(a: object, b: object) -> bool:
    """True when `a` and `b` are behaviourally the same value."""
    return _Walk().equal(a, b)


class _Walk:
    """One comparison: a stack of pairs still to compare and the pairs already started."""

    def __init__(self) -> None:
        self.started: set[tuple[int, int]] = set()
        # id of a mutable object on one side -> id of its partner on the other (aliasing agrees)
        self.partner_a: dict[int, int] = {}
        self.partner_b: dict[int, int] = {}
        self.alive: list[object] = []  # states made on the fly: their ids must stay unique
        self.stack: list[tuple[object, object]] = []

    def equal(self, a: object, b: object) -> bool:
        self.stack.append((a, b))
        while self.stack:
            x, y = self.stack.pop()
            if not self._step(x, y):
                return False
        return True

    def _push_all(self, pairs: list[tuple[object, object]]) -> None:
        self.stack.extend(reversed(pairs))  # compared in order: the first difference is found first

    def _step(self, a: object, b: object) -> bool:
        if a is b:
            return True
        ta = type(a)
        if ta is type(b) and ta in _ATOMS:
            return a == b
        if not same_type_identity(a, b):
            return _numbers_equal(a, b)
        kind = _KINDS.get(ta) or _kind_of(ta)
        if kind == "atom":
            return a == b
        if kind == "float":
            return _numbers_equal(a, b)
        if kind == "named":
            return self._named(a, b)
        pair = (id(a), id(b))
        if _aliasable(ta, kind) and not self._partners(pair):
            return False  # shared differently: one object on one side, two on the other
        if pair in self.started:
            return True  # a cycle (or a shared object): equal unless something else differs
        self.started.add(pair)
        if kind in _BUILTIN_CONTAINERS:
            try:
                # fast path: exact equality of plain values implies behavioural equality (with
                # mutable elements, how they are shared and their own state still count). Plain
                # values first: `==` on a list of objects runs their own `__eq__`, which may cost
                # more than the walk (pyparsing's compares `vars()` through the whole grammar
                # graph, 24 of a self-check's 28 s) or change them (its `== str` parses).
                if _plain_values(a, kind) and a == b and _typed(a, kind) == _typed(b, kind):
                    return True
            except Exception:
                pass
        if kind in ("sequence", "list_subclass"):
            assert isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))
            if len(a) != len(b):
                return False
            self._push_all(list(zip(a, b, strict=True)))
            return True
        if kind in ("mapping", "dict_subclass"):
            return self._mappings(a, b)  # type: ignore[arg-type]
        if kind == "set":
            return _sets_equal(a, b)  # type: ignore[arg-type]
        if kind == "iterator":  # a result is drained before comparison; one held in state is not
            return self._iterators(a, b)
        numpy_verdict = _numpy_equal(a, b) if kind == "numpy" else None
        if numpy_verdict is not None:
            return numpy_verdict
        state_a, state_b = _state(a), _state(b)
        if state_a is not None or state_b is not None:
            self.alive += [state_a, state_b]
            self.stack.append((state_a, state_b))
            return True
        try:
            return bool(a == b)
        except Exception:
            return False

    def _partners(self, pair: tuple[int, int]) -> bool:
        """Records the pair's objects as partners; False when either already has another one."""
        first, second = pair
        if self.partner_a.setdefault(first, second) != second:
            return False
        return self.partner_b.setdefault(second, first) == first

    def _iterators(self, a: object, b: object) -> bool:
        """Equal when their pickling state is (itertools, range and list iterators have one);
        iterators without visible state (generators, files) are never equal."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # itertools pickling, 3.12+
            state_a, state_b = _state(a), _state(b)
        if state_a is None or state_b is None:
            return False
        self.alive += [state_a, state_b]
        self.stack.append((state_a, state_b))
        return True

    def _named(self, a: object, b: object) -> bool:
        if qualified_name(a) != qualified_name(b):
            return False
        owner = getattr(a, "__self__", None)
        if isinstance(a, (types.MethodType, types.BuiltinFunctionType)) and owner is not None:
            self.stack.append((owner, getattr(b, "__self__", None)))  # bound: compare receivers
        return True

    def _mappings(self, a: Mapping[Any, Any], b: Mapping[Any, Any]) -> bool:
        """Same items (a dict subclass by its stored items: its own `__getitem__` may compute),
        then, for a dict subclass, same instance attributes (a defaultdict's factory aside)."""
        items_a, items_b = _stored_items(a), _stored_items(b)
        if len(items_a) != len(items_b):
            return False
        values_b = dict(items_b) if _hashable_keys(items_b) else None
        if values_b is not None and all(key in values_b for key, _ in items_a):
            self._push_all([(value, values_b[key]) for key, value in items_a])
        else:
            # Keys that are functions or classes differ between module instances: match them by name.
            try:
                by_token_a = {_key_token(key): value for key, value in items_a}
                by_token_b = {_key_token(key): value for key, value in items_b}
            except TypeError:
                by_token_a = by_token_b = {}
            if len(by_token_a) == len(items_a) and by_token_a.keys() == by_token_b.keys():
                self._push_all([(value, by_token_b[token]) for token, value in by_token_a.items()])
            else:
                pairs: list[tuple[object, object]] = []
                for (key_a, value_a), (key_b, value_b) in zip(items_a, items_b, strict=True):
                    pairs += [(key_a, key_b), (value_a, value_b)]  # keys without value equality: in order
                self._push_all(pairs)
        if type(a).__module__ != "builtins":
            self.stack.append((getattr(a, "__dict__", None), getattr(b, "__dict__", None)))
        return True


def _stored_items(mapping: Mapping[Any, Any]) -> list[tuple[Any, Any]]:
    return list(dict.items(mapping)) if isinstance(mapping, dict) else list(mapping.items())


def _hashable_keys(items: list[tuple[Any, Any]]) -> bool:
    try:
        return len({key for key, _ in items}) == len(items)
    except TypeError:
        return False


def _sets_equal(a: set[Any] | frozenset[Any], b: set[Any] | frozenset[Any]) -> bool:
    if len(a) != len(b):
        return False
    try:
        if a == b:
            return True
        tokens_a, tokens_b = {_key_token(x) for x in a}, {_key_token(x) for x in b}
        if len(tokens_a) == len(a) and tokens_a == tokens_b:
            return True
    except TypeError:
        pass
    if all(type(x) in _ATOMS or type(x) is float for x in a) or len(a) > _MATCHED_SET_LIMIT:
        return False
    unmatched = list(b)
    for item in a:  # elements whose hash is their identity: pair each with an equal one
        match = next((i for i, other in enumerate(unmatched) if deep_equal(item, other)), None)
        if match is None:
            return False
        unmatched.pop(match)
    return True
