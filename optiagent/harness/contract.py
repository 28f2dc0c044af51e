"""Contract-wide inputs: values the signature admits that the workload never showed.

A workload shows the kinds of values it happened to use; an edit must be right for every value
the function's contract admits. Where the annotation leaves element kinds open (bare `list`,
`dict`, `set`, `tuple`, `Iterable`, `Sequence`, `Any`, `object`, unbound `TypeVar`s, an
unannotated parameter of a public function), the open parts draw "wild" values beside the
captured kinds: unhashable ones (lists, dicts, sets), None, NaN and infinities, equal values of
different types (1, 1.0, True), mixed types that do not order, str/int/list subclasses with their
own __eq__/__hash__, nested, empty and duplicated containers. Narrow leaves widen only as far as
the type itself does: bools where ints are expected, ints, NaN, infinities and -0.0 where floats
are. `Sequence`/`Iterable` also take tuples, `Iterable` one-shot iterators.

Unannotated parameters of internal functions (a `_private` name or one nested in another
function) are called only by the project, so their domain stays what every captured call showed.
"""

from __future__ import annotations

import collections.abc as abc
import math
import typing
from collections import deque
from typing import TYPE_CHECKING, Any

from .shapes import SMALL_LEN, strategy_for_annotation, strategy_for_shape

if TYPE_CHECKING:
    from collections.abc import Iterator

    from hypothesis.strategies import SearchStrategy

    from .mining import Mined
    from .shapes import Shape

UNANNOTATED = object()  # the parameter has no annotation


class FoldedStr(str):
    """A str equal to every str with the same casefold, hashing like its upper-case text (so a set
    of plain lower-case strings misses it where a list scan finds it: legal, if unusual)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.casefold() == other.casefold()

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.casefold().upper())

    def __repr__(self) -> str:
        return f"FoldedStr({str.__repr__(self)})"


class Mod10(int):
    """An int equal to every int with the same last digit, hashing like that digit."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, int) and int(self) % 10 == int(other) % 10

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(int(self) % 10)

    def __repr__(self) -> str:
        return f"Mod10({int(self)})"


class HashableList(list[Any]):
    """A list that can be a set element or dict key (hashes by content)."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"HashableList({list.__repr__(self)})"


class OneShot:
    """An iterable that can be walked once, like a generator: a second pass continues where the
    first stopped (usually at the end). Not an iterator itself, so arguments compare by state."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self.position = 0

    def __iter__(self) -> Iterator[Any]:
        while self.position < len(self.items):
            self.position += 1
            yield self.items[self.position - 1]

    def __repr__(self) -> str:  # inputs are keyed by repr: the content must show
        return f"OneShot({self.items[self.position :]!r})"


_NAN = math.nan
_HASHABLE_ODDITIES: list[Any] = [
    None, True, False, 0, 1, -1, 1.0, 0.0, -0.0, 2.5, _NAN, math.inf, -math.inf, 10**20, 1000,
    "", "a", "A", "1", b"a", (), (1, "a"), frozenset({1}),
    FoldedStr("A"), FoldedStr("a"), Mod10(11), Mod10(3), HashableList([1]),
]  # fmt: skip


def _hashable_wild() -> SearchStrategy[Any]:
    from hypothesis import strategies as st

    scalar = st.one_of(
        _shared("oddity", st.sampled_from(_HASHABLE_ODDITIES)),
        _subclassed(),
        st.sampled_from(_HASHABLE_ODDITIES),
        st.integers(-3, 9),
        st.text(alphabet="aAb1 ", max_size=3),
        st.builds(float, st.just("nan")),  # a NaN that is not the shared object
    )
    return st.one_of(scalar, scalar, st.tuples(scalar, scalar), st.frozensets(st.integers(0, 3), max_size=2))


def wild() -> SearchStrategy[Any]:
    """Any value: hashable oddities, unhashable containers and nestings of both."""
    from hypothesis import strategies as st

    hashable = _hashable_wild()
    unhashable_keys = st.sampled_from(["a", "b", 1, None])
    return st.recursive(
        hashable,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(unhashable_keys, inner, max_size=2),
            st.sets(st.integers(0, 3), max_size=2),
            st.lists(inner, max_size=2).map(tuple),
        ),
        max_leaves=6,
    )


def _shared(kind: str, values: SearchStrategy[Any]) -> SearchStrategy[Any]:
    """One value drawn per example and reused by every draw of that example: odd values recur."""
    from hypothesis import strategies as st

    return st.shared(values, key=f"optiagent-contract-{kind}")


def _tiny_mode(tiny: SearchStrategy[Any], usual: SearchStrategy[Any]) -> SearchStrategy[Any]:
    """`tiny` values in a third of the examples (all numbers of the example), `usual` otherwise."""
    from hypothesis import strategies as st

    return _shared("tiny-mode", st.integers(0, 2)).flatmap(lambda mode: tiny if mode == 0 else usual)


def _subclassed() -> SearchStrategy[Any]:
    """Subclass instances with their own __eq__/__hash__, equal to the example's plain strings
    (the shared pool of the steered strategies) but hashing apart from them."""
    from hypothesis import strategies as st

    pool = st.shared(
        st.lists(st.text(alphabet="aAbx1 ", max_size=3), min_size=1, max_size=3, unique=True),
        key="optiagent-pool-str",
    )
    folded = pool.flatmap(st.sampled_from).map(FoldedStr)
    return st.one_of(folded, st.sampled_from([FoldedStr("A"), Mod10(11), Mod10(13), HashableList([1])]))


def _twin(value: Any, tower: bool) -> Any:
    """An equal value of another type (True for 1, 1.0 for 1 where floats are admitted), the same
    NaN again, or the negation of a huge float (inf, 1e16: summation order shows), else None."""
    if type(value) is bool:
        return int(value)
    if type(value) is int:
        return float(value) if tower and abs(value) < 2**53 else (bool(value) if value in (0, 1) else None)
    if type(value) is float and (math.isnan(value) or abs(value) >= 1e15):
        return value if math.isnan(value) else -value  # the same NaN again; cancelling magnitudes
    if type(value) is float and tower and value.is_integer():
        return int(value)
    return None


def _with_twins(lists: SearchStrategy[list[Any]], tower: bool) -> SearchStrategy[list[Any]]:
    """Half the lists get, after their elements, one element's twin (`_twin`) and then a prefix
    again: which of two equal values max(), a stable sort, a dict or a set keeps then shows, and
    NaN or an infinity sits between other values."""
    from hypothesis import strategies as st

    def add_twin(drawn: tuple[list[Any], int]) -> list[Any]:
        items, index = drawn
        if not items:
            return items
        twin = _twin(items[index % len(items)], tower)
        return items if twin is None else [*items, twin, *items[: index % len(items)]]

    def add_nan(drawn: tuple[list[Any], int]) -> list[Any]:
        items, index = drawn  # NaN between other values: no total order any more
        return [*items[:index], math.nan, *items[index:]]

    drawn = st.tuples(lists, st.sampled_from([1, 1, 2, 0, 3, SMALL_LEN]))
    variants = [lists, drawn.map(add_twin)]
    return st.one_of(*variants, drawn.map(add_nan)) if tower else st.one_of(variants)


def _fresh_int(value: int) -> int:
    return int(str(value))  # equal, but not the same object


def _fresh_str(value: str) -> str:
    return value[:1] + value[1:] if len(value) > 1 else value  # a new object for two+ characters


def internal(qualname: str) -> bool:
    """Called only from inside the project: a private name on the path, or nested in a function."""
    parts = qualname.split(".")
    return "<locals>" in parts or any(p.startswith("_") and not p.endswith("__") for p in parts)


class _Builder:
    """Walks an annotation (and the captured shape at the same place) into a contract strategy."""

    def __init__(self, mined: Mined | None) -> None:
        self.mined = mined
        self.wider = False  # the contract admits something the steered strategies never draw

    def steered(self, annotation: object) -> SearchStrategy[Any] | None:
        return strategy_for_annotation(annotation, small=True, mined=self.mined)

    def open_part(self, shape: Shape | None, hashable: bool = False) -> SearchStrategy[Any]:
        """An element the annotation leaves open: captured kinds (widened leaves) or wild values."""
        from hypothesis import strategies as st

        self.wider = True
        odd = _hashable_wild() if hashable else wild()
        around = self.around(shape, hashable) if shape is not None else None
        if around is None:
            return st.one_of(odd, st.integers(-3, 9), _subclassed())
        return st.one_of(around, around, around, odd, _subclassed(), _subclassed())

    def around(self, shape: Shape, hashable: bool = False) -> SearchStrategy[Any] | None:
        """Values with the captured shape whose leaves also take wild values."""
        from hypothesis import strategies as st

        kind = shape["type"]
        self.wider = True
        if kind in ("int", "float", "str", "bool", "none", "bytes"):
            leaf = strategy_for_shape(shape)
            odd = _hashable_wild() if hashable else wild()
            return None if leaf is None else st.one_of(leaf, leaf, odd)
        if kind == "union":
            options = [self.around(option, hashable) for option in shape["options"]]
            known = [option for option in options if option is not None]
            return st.one_of(known) if known else None
        if kind == "tuple" and "items" in shape:
            items = [self.around(item, hashable) for item in shape["items"]]
            return None if any(i is None for i in items) else st.tuples(*typing.cast(list[Any], items))
        if (kind in ("list", "set", "frozenset", "deque", "tuple") and not hashable) or kind == "tuple":
            elem = self.open_part(shape.get("elem"), hashable=kind in ("set", "frozenset") or hashable)
            made: dict[str, Any] = {"list": list, "set": set, "frozenset": frozenset, "deque": deque}
            if kind in ("set", "frozenset"):
                return (st.sets if kind == "set" else st.frozensets)(elem, max_size=SMALL_LEN)
            return st.lists(elem, max_size=SMALL_LEN).map(made.get(kind, tuple))
        if kind == "dict" and not hashable:
            key = self.open_part(shape.get("key"), hashable=True)
            return st.dictionaries(key, self.open_part(shape.get("value")), max_size=SMALL_LEN)
        return strategy_for_shape(shape)  # records, enums, opaque objects: as captured

    def build(self, annotation: object, shape: Shape | None) -> SearchStrategy[Any] | None:
        from hypothesis import strategies as st

        if annotation is UNANNOTATED:
            return None if shape is None else self.around(shape)
        if annotation is typing.Any or annotation is object:
            return self.open_part(shape)
        if isinstance(annotation, typing.TypeVar):
            if annotation.__bound__ is not None:
                return self.build(annotation.__bound__, shape)
            if annotation.__constraints__:
                return self.build(typing.Union[annotation.__constraints__], shape)  # noqa: UP007
            return self.open_part(shape)
        if annotation is int:
            self.wider = True
            small = self.steered(int)
            if small is None:
                return None
            # Equal big ints as distinct objects (`is` agrees with == only on cached small ints).
            big = _shared("big-int", st.sampled_from([1000, 10**20, -(2**63)])).map(_fresh_int)
            usual = st.one_of(*[small] * 4, st.booleans(), big)
            # In a third of the examples only 0/1/False/True: ties of equal values of
            # different types then decide what max() or a stable sort keeps.
            return _tiny_mode(st.sampled_from([0, 1, False, True]), usual)
        if annotation is float:
            self.wider = True
            small = self.steered(float)
            if small is None:
                return None
            odd = st.sampled_from([math.nan, math.inf, -math.inf, -0.0])
            # The same odd value (the same NaN object) recurs within a call, not only once.
            shared_odd = _shared("odd-float", odd)
            usual = st.one_of(*[small] * 3, shared_odd, odd, st.integers(-3, 9))
            tiny = st.sampled_from([0, 1, 0.0, 1.0, -0.0, 1e16, math.inf, -math.inf, math.nan])
            return _tiny_mode(st.one_of(tiny, tiny, tiny, shared_odd), usual)
        if annotation is str:
            self.wider = True
            small = self.steered(str)
            # Equal strings as distinct objects (`is` agrees with == only on the same object).
            return None if small is None else st.one_of(small, small.map(_fresh_str))
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin is typing.Union or (origin is not None and type(annotation).__name__ == "UnionType"):
            options = [self.build(arg, shape) for arg in args]
            return None if any(o is None for o in options) else st.one_of(typing.cast(list[Any], options))
        container = origin or annotation
        return self._container(container, args, shape)

    def _part(self, shape: Shape | None, name: str, kinds: tuple[str, ...]) -> Shape | None:
        if shape is None or shape.get("type") not in kinds:
            return None
        part: Shape | None = shape.get(name)
        return part

    def _element(self, args: tuple[Any, ...], index: int, shape: Shape | None, hashable: bool = False) -> Any:
        if len(args) > index:
            return self.build(args[index], shape)
        return self.open_part(shape, hashable)

    def _container(
        self, container: object, args: tuple[Any, ...], shape: Shape | None
    ) -> SearchStrategy[Any] | None:
        from hypothesis import strategies as st

        sequences = ("list", "tuple", "set", "frozenset", "deque")
        if container in (list, abc.Sequence, abc.MutableSequence, abc.Iterable, abc.Collection, deque):
            elem = self._element(args, 0, self._part(shape, "elem", sequences))
            if elem is None:
                return None
            tower = not args or args[0] is float or args[0] is typing.Any or args[0] is object
            lists = _with_twins(st.lists(elem, max_size=SMALL_LEN), tower)
            if container is deque:
                return lists.map(deque)
            if container in (list, abc.MutableSequence):
                return lists
            self.wider = True
            variants: list[SearchStrategy[Any]] = [lists, lists.map(tuple)]
            if container is abc.Iterable:
                variants.append(lists.map(OneShot))
            return st.one_of(variants)
        if container in (set, frozenset, abc.Set, abc.MutableSet):
            elem = self._element(args, 0, self._part(shape, "elem", sequences), hashable=True)
            if elem is None:
                return None
            return (st.frozensets if container is frozenset else st.sets)(elem, max_size=SMALL_LEN)
        if container in (dict, abc.Mapping, abc.MutableMapping):
            key = self._element(args, 0, self._part(shape, "key", ("dict",)), hashable=True)
            value = self._element(args, 1, self._part(shape, "value", ("dict",)))
            if key is None or value is None:
                return None
            return st.dictionaries(key, value, max_size=SMALL_LEN)
        if container is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                elem = self.build(args[0], self._part(shape, "elem", ("tuple",)))
                return None if elem is None else st.lists(elem, max_size=SMALL_LEN).map(tuple)
            if args:
                items = shape.get("items", []) if shape and shape.get("type") == "tuple" else []
                parts = [self.build(a, items[i] if i < len(items) else None) for i, a in enumerate(args)]
                return None if any(p is None for p in parts) else st.tuples(*typing.cast(list[Any], parts))
            elem = self.open_part(self._part(shape, "elem", ("tuple",)))
            return st.lists(elem, max_size=SMALL_LEN).map(tuple)
        return self.steered(container if not args else _rebuild(container, args))


def _rebuild(container: object, args: tuple[Any, ...]) -> object:
    """The parameterised annotation again (for types the contract leaves to the steered strategy)."""
    try:
        return container[args]  # type: ignore[index]
    except TypeError:
        return container


def contract_strategy(
    annotation: object, shape: Shape | None, mined: Mined | None
) -> tuple[SearchStrategy[Any] | None, bool]:
    """The strategy over the parameter's declared contract, and whether it admits more than the
    steered strategies draw (when it does not, contract examples would only repeat them)."""
    builder = _Builder(mined)
    try:
        strategy = builder.build(annotation, shape)
        if strategy is not None:
            strategy.validate()
    except Exception:  # a part hypothesis cannot resolve: the steered strategies cover it
        return None, False
    return strategy, builder.wider and strategy is not None
