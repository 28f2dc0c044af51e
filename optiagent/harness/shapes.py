"""Shapes of values: JSON-able descriptors of what a function was called with, and strategies
that generate more values of the same shape. Runs inside the sandbox: stdlib and hypothesis only.

A shape is a dict with a "type" key: int, float (ranges), bool, none, str (length range and
an alphabet sample), bytes, list/set/frozenset/deque (length range, "elem"), tuple ("items", or
homogeneous "elem"), dict ("key", "value"), dataclass/namedtuple ("fields"), enum ("members"),
object (opaque: module and qualname only) and union ("options").
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import math
from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from hypothesis.strategies import SearchStrategy

    from .mining import Mined

Shape = dict[str, Any]

MAX_DEPTH = 8  # deeper values are described as opaque objects
MAX_ALPHABET = 64  # distinct characters kept per string shape
MAX_OPTIONS = 8  # union options kept
MAX_FIXED_TUPLE = 8  # longer tuples are described as homogeneous
SAMPLED_ELEMENTS = 64  # elements of a container looked at when describing it
_SEQUENCES: dict[type, str] = {list: "list", set: "set", frozenset: "frozenset", deque: "deque"}


def describe(value: object) -> Shape:
    """The shape of one value."""
    return _describe(value, 0)


def _describe(value: object, depth: int) -> Shape:
    kind = type(value)
    if depth > MAX_DEPTH:
        return _opaque(kind)
    if value is None:
        return {"type": "none"}
    if isinstance(value, enum.Enum):
        return {**_named("enum", kind), "members": [value.name]}
    if kind is bool:
        return {"type": "bool"}
    if kind is int:
        return {"type": "int", "min": value, "max": value}
    if type(value) is float:
        return _describe_float(value)
    if type(value) is str or type(value) is bytes:
        return _describe_text(value)
    if isinstance(value, list | set | frozenset | deque) and kind in _SEQUENCES:
        shape: Shape = {"type": _SEQUENCES[kind], "min_len": len(value), "max_len": len(value)}
        return _with_elem(shape, _sample(value), depth)
    if type(value) is tuple:
        return _describe_tuple(value, depth)
    if type(value) is dict:
        return _describe_dict(value, depth)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in dataclasses.fields(value) if f.init]
        return _with_fields(_named("dataclass", kind), {n: getattr(value, n, None) for n in names}, depth)
    if isinstance(value, tuple) and hasattr(kind, "_fields"):
        fields = {name: getattr(value, name) for name in getattr(kind, "_fields", ())}
        return _with_fields(_named("namedtuple", kind), fields, depth)
    return _opaque(kind)


def _named(type_name: str, kind: type) -> Shape:
    return {"type": type_name, "module": kind.__module__, "qualname": kind.__qualname__}


def _opaque(kind: type) -> Shape:
    return _named("object", kind)


def _describe_float(value: float) -> Shape:
    shape: Shape = {"type": "float", "nan": math.isnan(value), "inf": math.isinf(value)}
    if math.isfinite(value):
        shape.update(min=value, max=value)
    return shape


def _describe_text(value: str | bytes) -> Shape:
    if isinstance(value, bytes):
        return {"type": "bytes", "min_len": len(value), "max_len": len(value)}
    alphabet = "".join(sorted(set(value[:4096])))[:MAX_ALPHABET]
    return {"type": "str", "min_len": len(value), "max_len": len(value), "alphabet": alphabet}


def _sample(values: Iterable[object]) -> list[object]:
    """Up to SAMPLED_ELEMENTS elements spread evenly over the container."""
    every = list(values)
    step = max(1, len(every) // SAMPLED_ELEMENTS)
    return every[::step][:SAMPLED_ELEMENTS]


def _with_elem(shape: Shape, elements: list[object], depth: int) -> Shape:
    elem = _merge_all([_describe(e, depth + 1) for e in elements])
    if elem is not None:
        shape["elem"] = elem
    return shape


def _describe_tuple(value: tuple[object, ...], depth: int) -> Shape:
    if len(value) <= MAX_FIXED_TUPLE:
        return {"type": "tuple", "items": [_describe(item, depth + 1) for item in value]}
    return _with_elem({"type": "tuple", "min_len": len(value), "max_len": len(value)}, _sample(value), depth)


def _describe_dict(value: dict[object, object], depth: int) -> Shape:
    keys = _sample(list(value))
    shape: Shape = {"type": "dict", "min_len": len(value), "max_len": len(value)}
    key = _merge_all([_describe(k, depth + 1) for k in keys])
    val = _merge_all([_describe(value[k], depth + 1) for k in keys])
    if key is not None and val is not None:
        shape.update(key=key, value=val)
    return shape


def _with_fields(shape: Shape, fields: dict[str, object], depth: int) -> Shape:
    shape["fields"] = {name: _describe(v, depth + 1) for name, v in fields.items()}
    return shape


def _merge_all(shapes: list[Shape]) -> Shape | None:
    merged: Shape | None = None
    for shape in shapes:
        merged = shape if merged is None else merge(merged, shape)
    return merged


def _identity(shape: Shape) -> tuple[str, str, str]:
    return shape["type"], shape.get("module", ""), shape.get("qualname", "")


def merge(a: Shape, b: Shape) -> Shape:
    """The smallest shape covering both: ranges widen, different types become a union."""
    if a["type"] == "union" or b["type"] == "union" or _identity(a) != _identity(b):
        return _merge_union(a, b)
    if a["type"] == "tuple" and (
        ("items" in a) != ("items" in b) or len(a.get("items", ())) != len(b.get("items", ()))
    ):
        return merge(_homogeneous(a), _homogeneous(b))
    merged: Shape = dict(a)
    for low in ("min", "min_len"):
        if low in a or low in b:
            merged[low] = min(x[low] for x in (a, b) if low in x)
    for high in ("max", "max_len"):
        if high in a or high in b:
            merged[high] = max(x[high] for x in (a, b) if high in x)
    for flag in ("nan", "inf"):
        if flag in a:
            merged[flag] = a[flag] or b[flag]
    if "alphabet" in a:
        merged["alphabet"] = "".join(sorted(set(a["alphabet"]) | set(b["alphabet"])))[:MAX_ALPHABET]
    if "members" in a:
        merged["members"] = sorted(set(a["members"]) | set(b["members"]))
    for part in ("elem", "key", "value"):
        present = [x[part] for x in (a, b) if part in x]
        if present:
            merged[part] = _merge_all(present)
    if "items" in a:
        merged["items"] = [merge(x, y) for x, y in zip(a["items"], b["items"], strict=True)]
    if "fields" in a:
        names = a["fields"].keys() & b["fields"].keys()
        merged["fields"] = {n: merge(a["fields"][n], b["fields"][n]) for n in sorted(names)}
    return merged


def _homogeneous(shape: Shape) -> Shape:
    if "items" not in shape:
        return shape
    items = shape["items"]
    return _with_merged_elem({"type": "tuple", "min_len": len(items), "max_len": len(items)}, items)


def _with_merged_elem(shape: Shape, elements: list[Shape]) -> Shape:
    elem = _merge_all(elements)
    if elem is not None:
        shape["elem"] = elem
    return shape


def _merge_union(a: Shape, b: Shape) -> Shape:
    options: list[Shape] = []
    for option in [*_options(a), *_options(b)]:
        same = next((i for i, o in enumerate(options) if _identity(o) == _identity(option)), None)
        if same is None:
            options.append(option)
        else:
            options[same] = merge(options[same], option)
    if len(options) == 1:
        return options[0]
    return {"type": "union", "options": options[:MAX_OPTIONS], "truncated": len(options) > MAX_OPTIONS}


def _options(shape: Shape) -> list[Shape]:
    return list(shape["options"]) if shape["type"] == "union" else [shape]


# --- generating values of a shape --------------------------------------------------------------

MAX_GENERATED_LEN = 50  # correctness checking wants small inputs; stress inputs are scaled separately
_DEFAULT_ALPHABET = "ab "
_EMPTY: dict[str, type] = {"list": list, "set": set, "frozenset": frozenset, "deque": deque, "tuple": tuple}


def widen(shape: Shape) -> Shape:
    """The envelope `strategy_for_shape` draws from: numbers widened a little and to include 0
    (negatives only when negatives were seen), collections from empty to a bit longer (capped)."""
    kind = shape["type"]
    wide: Shape = dict(shape)
    if kind in ("int", "float") and "min" in shape:
        low, high = shape["min"], shape["max"]
        pad = (high - low) / 8 if kind == "float" else max(1, (high - low) // 8)
        wide["min"] = 0 if low >= 0 else low - pad
        wide["max"] = max(high, 0) + pad
    elif kind == "float":
        wide.update(min=-1.0, max=1.0)
    if "max_len" in shape and not (kind == "tuple" and "elem" in shape):
        wide["min_len"] = 0
        wide["max_len"] = min(math.ceil(shape["max_len"] * 1.25) + 1, MAX_GENERATED_LEN)
    if kind == "str":
        wide["alphabet"] = shape["alphabet"] or _DEFAULT_ALPHABET
    for part in ("elem", "key", "value"):
        if part in shape:
            wide[part] = widen(shape[part])
    if "items" in shape:
        wide["items"] = [widen(item) for item in shape["items"]]
    if "fields" in shape:
        wide["fields"] = {name: widen(field) for name, field in shape["fields"].items()}
    if "options" in shape:
        wide["options"] = [widen(option) for option in shape["options"]]
    return wide


def fits(inner: Shape, outer: Shape) -> bool:
    """True when every value of shape `inner` is also a value of shape `outer`."""
    if inner["type"] == "union":
        return all(fits(option, outer) for option in inner["options"])
    if outer["type"] == "union":
        # A truncated union dropped options it had seen: it stands for "these and more".
        return bool(outer.get("truncated")) or any(fits(inner, option) for option in outer["options"])
    if _identity(inner) != _identity(outer):
        return False
    for low in ("min", "min_len"):
        if low in inner and (low not in outer or inner[low] < outer[low]):
            return False
    for high in ("max", "max_len"):
        if high in inner and (high not in outer or inner[high] > outer[high]):
            return False
    if any(inner.get(flag) and not outer.get(flag) for flag in ("nan", "inf")):
        return False
    if not set(inner.get("alphabet", "")) <= set(outer.get("alphabet", "")):
        return False
    for part in ("elem", "key", "value"):
        if part in inner and (part not in outer or not fits(inner[part], outer[part])):
            return False
    if "items" in inner and "items" not in outer:
        return fits(_homogeneous(inner), outer)
    if "items" in inner or "items" in outer:
        pairs = zip(inner.get("items", ()), outer.get("items", ()), strict=False)
        same_length = len(inner.get("items", ())) == len(outer.get("items", ()))
        return same_length and all(fits(i, o) for i, o in pairs)
    if "fields" in inner:
        fields = outer.get("fields", {})
        return inner["fields"].keys() == fields.keys() and all(
            fits(v, fields[k]) for k, v in inner["fields"].items()
        )
    return True


def strategy_for_shape(shape: Shape) -> SearchStrategy[Any] | None:
    """A strategy drawing values inside `widen(shape)`, or None when the shape is opaque."""
    try:
        strategy = _strategy(widen(shape))
        if strategy is not None:
            strategy.validate()
        return strategy
    except Exception:  # an unimportable class or a malformed shape: cannot generate
        return None


def _strategy(shape: Shape) -> SearchStrategy[Any] | None:
    from hypothesis import strategies as st

    kind = shape["type"]
    low, high = shape.get("min_len", 0), shape.get("max_len", 0)
    simple: dict[str, Callable[[], SearchStrategy[Any]]] = {
        "none": st.none,
        "bool": st.booleans,
        "int": lambda: st.integers(shape["min"], shape["max"]),
        "float": lambda: _floats(shape),
        "str": lambda: st.text(alphabet=shape["alphabet"], min_size=low, max_size=high),
        "bytes": lambda: st.binary(min_size=low, max_size=high),
    }
    if kind in simple:
        return simple[kind]()
    if kind == "enum":
        return st.sampled_from(list(_import(shape)))
    if kind in ("dataclass", "namedtuple"):
        fields = {name: _strategy(field) for name, field in shape["fields"].items()}
        present = {name: field for name, field in fields.items() if field is not None}
        return st.builds(_import(shape), **present) if len(present) == len(fields) else None
    if kind == "union":
        options = [s for s in (_strategy(option) for option in shape["options"]) if s is not None]
        return st.one_of(options) if options else None
    if kind == "tuple" and "items" in shape:
        items = [_strategy(item) for item in shape["items"]]
        known = [item for item in items if item is not None]
        return st.tuples(*known) if len(known) == len(items) else None
    if kind == "dict":
        if "key" not in shape:  # only empty dicts were seen
            return st.builds(dict)
        key, value = _strategy(shape["key"]), _strategy(shape["value"])
        return (
            None if key is None or value is None else st.dictionaries(key, value, min_size=low, max_size=high)
        )
    return _collection(kind, shape, low, high)


def _collection(kind: str, shape: Shape, low: int, high: int) -> SearchStrategy[Any] | None:
    from hypothesis import strategies as st

    builders: dict[str, Callable[[SearchStrategy[Any]], SearchStrategy[Any]]] = {
        "list": lambda e: st.lists(e, min_size=low, max_size=high),
        "set": lambda e: st.sets(e, min_size=low, max_size=high),
        "frozenset": lambda e: st.frozensets(e, min_size=low, max_size=high),
        "deque": lambda e: st.lists(e, min_size=low, max_size=high).map(deque),
        "tuple": lambda e: st.lists(e, min_size=low, max_size=high).map(tuple),
    }
    if kind not in builders:
        return None  # an opaque object
    if "elem" not in shape:  # only empty containers were seen
        return st.builds(_EMPTY[kind])
    elem = _strategy(shape["elem"])
    return None if elem is None else builders[kind](elem)


def _floats(shape: Shape) -> SearchStrategy[float]:
    from hypothesis import strategies as st

    finite = st.floats(float(shape["min"]), float(shape["max"]), allow_nan=False, allow_infinity=False)
    extras = [math.nan] * bool(shape.get("nan")) + [math.inf, -math.inf] * bool(shape.get("inf"))
    return st.one_of(finite, st.sampled_from(extras)) if extras else finite


def _import(shape: Shape) -> Any:
    qualname: str = shape["qualname"]
    if "<locals>" in qualname:
        raise LookupError(f"{qualname} is local to a function")
    found: Any = importlib.import_module(shape["module"])
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


# --- generating values of an annotation --------------------------------------------------------


SMALL_LEN = 6
SMALL_TEXT = "aAbx1 "


def strategy_for_annotation(
    annotation: object, max_len: int = MAX_GENERATED_LEN, small: bool = False, mined: Mined | None = None
) -> SearchStrategy[Any] | None:
    """A bounded strategy for a resolved type annotation, or None when the type is opaque
    (Any, object, callables, plain classes, unresolved string annotations).

    `small` draws from a tiny universe (ints -3..9, a 6-letter alphabet, at most 6 elements):
    values then collide across arguments, so a key is found in a dict, a substring occurs in a
    text, a target sum is reachable and palindromes appear, which random wide values rarely do.
    `mined` constants of the code under test join the small universe: its string constants as
    characters and as tokens strung together, its int constants and their neighbours.
    """
    try:
        strategy = _annotation_strategy(annotation, SMALL_LEN if small else max_len, small, mined)
        if strategy is not None:
            strategy.validate()
        return strategy
    except Exception:  # hypothesis could not resolve part of the type
        return None


def _annotation_strategy(
    annotation: object, max_len: int, small: bool = False, mined: Mined | None = None
) -> SearchStrategy[Any] | None:
    import collections.abc as abc
    import decimal
    import fractions
    import types
    import typing

    from hypothesis import strategies as st

    def sub(arg: object) -> SearchStrategy[Any]:
        found = _annotation_strategy(arg, max_len, small, mined)
        if found is None:
            raise LookupError(f"cannot generate {arg!r}")
        return found

    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation in (None, type(None)):
        return st.none()
    if annotation is int:
        if small:
            near = st.integers(-3, 9)
            fresh = st.one_of(near, st.sampled_from(mined.ints)) if mined and mined.ints else near
            return st.one_of(_from_shared_pool("int", fresh), fresh)
        # Half small values: sizes, indices and recursion depths live there (and stay fast);
        # half anywhere, for breadth.
        return st.one_of(st.integers(-32, 64), st.integers())
    if annotation is float and small:
        return st.one_of(st.integers(-3, 9).map(float), st.sampled_from([0.5, -0.5, 1e-9, 2.5]))
    if annotation in (float, bool, complex, decimal.Decimal, fractions.Fraction):
        return st.from_type(typing.cast(type, annotation))
    if annotation is str:
        if not small:
            return st.text(max_size=max_len)
        return _small_text(mined, max_len)
    if annotation in (bytes, bytearray):
        raw = (
            st.binary(max_size=max_len)
            if not small
            else st.lists(st.sampled_from(b"ab\x00"), max_size=max_len).map(bytes)
        )
        return raw.map(bytearray if annotation is bytearray else bytes)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([sub(arg) for arg in args])
    if origin is tuple or annotation is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(sub(args[0]), max_size=max_len).map(tuple)
        return (
            st.tuples(*(sub(arg) for arg in args))
            if args
            else st.lists(st.integers(), max_size=max_len).map(tuple)
        )
    container = origin or annotation
    if _is_ndarray(container):
        return _ndarray_strategy(args, max_len, small)
    elements = [sub(arg) for arg in args] or [st.integers(), st.integers()]
    lists = {list, abc.Sequence, abc.MutableSequence, abc.Iterable, abc.Collection}
    sets = {set, abc.Set, abc.MutableSet}
    if container in lists:
        return st.lists(elements[0], max_size=max_len)
    if container in sets or container is frozenset:
        return (st.frozensets if container is frozenset else st.sets)(elements[0], max_size=max_len)
    if container is deque:
        return st.lists(elements[0], max_size=max_len).map(deque)
    if container in (dict, abc.Mapping, abc.MutableMapping):
        return st.dictionaries(elements[0], elements[-1], max_size=max_len)
    return _class_strategy(annotation, max_len, small, mined)


def _from_shared_pool(kind: str, values: SearchStrategy[Any]) -> SearchStrategy[Any]:
    """A value from a pool of 1-3 drawn once per example and shared by every argument of the
    call: strings and ints then repeat across arguments and fields (a == match.home, a key of
    one dict is a value of another), which independent draws almost never give."""
    from hypothesis import strategies as st

    pool = st.shared(st.lists(values, min_size=1, max_size=3, unique=True), key=f"optiagent-pool-{kind}")
    return pool.flatmap(st.sampled_from)


def _small_text(mined: Mined | None, max_len: int) -> SearchStrategy[str]:
    from hypothesis import strategies as st

    fresh = _fresh_small_text(mined, max_len)
    return st.one_of(_from_shared_pool("str", fresh), fresh)


def _fresh_small_text(mined: Mined | None, max_len: int) -> SearchStrategy[str]:
    from hypothesis import strategies as st

    # A few fixed words first: two string arguments are then often equal ("a" and "a").
    words = st.sampled_from(["", "a", "b", "ab", "A", *(mined.tokens[:8] if mined else ())])
    if mined is None or not mined.tokens:
        return st.one_of(words, st.text(alphabet=SMALL_TEXT, max_size=max_len))
    alphabet = "".join(sorted(set(SMALL_TEXT) | set(mined.chars)))
    if any(c.isdigit() for c in mined.chars):
        alphabet = "".join(sorted(set(alphabet) | set("0123456789")))
    # Tokens as often as single characters: "[" then "]", "1" then "h", "a" "=" "b" ";" ...
    pieces = st.one_of(st.sampled_from(mined.tokens), st.sampled_from(alphabet))
    return st.one_of(
        words,
        st.text(alphabet=alphabet, max_size=max_len * 2),
        st.lists(pieces, max_size=max_len).map("".join),
    )


def _class_strategy(
    annotation: object, max_len: int, small: bool, mined: Mined | None = None
) -> SearchStrategy[Any] | None:
    import typing

    from hypothesis import strategies as st

    if not isinstance(annotation, type):
        return None
    if typing.is_typeddict(annotation):
        # Required[...] / NotRequired[...] are read from the hints too: under postponed
        # annotations the class cannot see them, so __required_keys__ alone would be wrong.
        hints = typing.get_type_hints(annotation, include_extras=True)
        required = set(getattr(annotation, "__required_keys__", hints))
        values: dict[str, SearchStrategy[Any]] = {}
        for name, hint in list(hints.items()):
            wrapper = typing.get_origin(hint)
            if wrapper is typing.Required or wrapper is typing.NotRequired:
                (required.add if wrapper is typing.Required else required.discard)(name)
                hint = typing.get_args(hint)[0]
            if typing.get_origin(hint) is typing.Annotated:
                hint = typing.get_args(hint)[0]
            value = _annotation_strategy(hint, max_len, small, mined)
            if value is None:
                return None
            values[name] = value
        mandatory = {k: v for k, v in values.items() if k in required}
        optional = {k: v for k, v in values.items() if k not in required}
        return st.fixed_dictionaries(mandatory, optional=optional)
    if issubclass(annotation, enum.Enum):
        return st.sampled_from(list(annotation))
    if dataclasses.is_dataclass(annotation) or (
        issubclass(annotation, tuple) and hasattr(annotation, "_fields")
    ):
        hints = typing.get_type_hints(annotation)
        names = (
            [f.name for f in dataclasses.fields(annotation) if f.init]
            if dataclasses.is_dataclass(annotation)
            else list(getattr(annotation, "_fields", ()))
        )
        fields = {
            name: _annotation_strategy(hints.get(name, typing.Any), max_len, small, mined) for name in names
        }
        present = {name: field for name, field in fields.items() if field is not None}
        return st.builds(annotation, **present) if len(present) == len(fields) else None
    return None


def _is_ndarray(annotation: object) -> bool:
    return (
        getattr(annotation, "__module__", "") == "numpy" and getattr(annotation, "__name__", "") == "ndarray"
    )


def _ndarray_strategy(args: tuple[Any, ...], max_len: int, small: bool) -> SearchStrategy[Any]:
    """1-D arrays of the annotated dtype (NDArray[np.int64] and the like), float64 when unsaid."""
    import typing

    import numpy as np
    from hypothesis.extra import numpy as hnp

    dtype = np.dtype(np.float64)
    for arg in args:  # NDArray[X] is ndarray[Any, dtype[X]]
        inner = typing.get_args(arg)
        if inner:
            try:
                dtype = np.dtype(inner[0])
            except TypeError:
                pass
    if dtype.kind in "iu":
        elements: Any = hnp.from_dtype(
            dtype, min_value=-3 if small and dtype.kind == "i" else None, max_value=9 if small else None
        )
    elif dtype.kind == "f":
        elements = hnp.from_dtype(dtype, allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)
    else:
        elements = hnp.from_dtype(dtype)
    return hnp.arrays(dtype, hnp.array_shapes(max_dims=1, min_side=0, max_side=max_len), elements=elements)
