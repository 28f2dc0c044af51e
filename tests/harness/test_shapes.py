"""Tests for value shapes: describing, merging, and generating values of a shape or annotation."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import typing
from collections import deque
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optiagent.harness.shapes import (
    describe,
    fits,
    merge,
    strategy_for_annotation,
    strategy_for_shape,
    widen,
)


@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    label: str


class Pair(typing.NamedTuple):
    left: int
    right: float


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Opaque:
    pass


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.binary(max_size=8),
    st.sampled_from(Color),
    st.builds(Point, st.integers(-5, 5), st.text(max_size=3)),
)
hashables = st.one_of(st.integers(), st.text(max_size=4), st.booleans())
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=6),
        st.lists(children, max_size=12).map(tuple),
        st.dictionaries(hashables, children, max_size=5),
        st.sets(hashables, max_size=5),
        st.frozensets(hashables, max_size=5),
        st.lists(children, max_size=5).map(deque),
        st.builds(Pair, st.integers(), st.floats(allow_nan=False)),
    ),
    max_leaves=12,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=values, data=st.data())
def test_generated_values_fit_the_widened_shape_of_the_described_value(
    value: Any, data: st.DataObject
) -> None:
    """describe -> strategy_for_shape round-trips: drawn values (and the original) fit the envelope."""
    shape = describe(value)
    json.dumps(shape)  # shapes are JSON-able
    strategy = strategy_for_shape(shape)
    assert strategy is not None
    assert fits(shape, widen(shape))
    drawn = data.draw(strategy)
    assert fits(describe(drawn), widen(shape)), (describe(drawn), widen(shape))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(first=values, second=values)
def test_merge_covers_both_shapes(first: Any, second: Any) -> None:
    """The merge of two shapes contains each of them."""
    a, b = describe(first), describe(second)
    merged = merge(a, b)
    assert fits(a, merged) and fits(b, merged)


def test_describe_ranges_alphabets_and_classes() -> None:
    """Shapes record ranges, lengths, seen characters, and class identities."""
    assert describe(5) == {"type": "int", "min": 5, "max": 5}
    assert describe("abca") == {"type": "str", "min_len": 4, "max_len": 4, "alphabet": "abc"}
    assert describe([1, 3])["elem"] == {"type": "int", "min": 1, "max": 3}
    assert describe(Point(1, "a"))["qualname"] == "Point"
    assert describe(Color.RED)["members"] == ["RED"]
    assert describe(Opaque())["type"] == "object"
    merged = merge(describe([1, 2]), describe(["x"]))
    assert merged["elem"]["type"] == "union"
    assert (merged["min_len"], merged["max_len"]) == (1, 2)


def test_widening_includes_zero_and_negatives_only_when_seen() -> None:
    """Integers widen to include 0 and go negative only when negatives were seen."""
    positive = widen(merge(describe(10), describe(90)))
    assert positive["min"] == 0 and positive["max"] > 90
    negative = widen(describe(-4))
    assert negative["min"] < -4 and negative["max"] >= 0
    assert widen(describe([1] * 500))["max_len"] == 50


def test_opaque_objects_cannot_be_generated() -> None:
    """An opaque object, or a container of them, yields no strategy."""
    assert strategy_for_shape(describe(Opaque())) is None
    assert strategy_for_shape(describe([Opaque()])) is None
    assert strategy_for_shape(describe([])) is not None


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_annotation_strategies_produce_bounded_values_of_the_type(data: st.DataObject) -> None:
    """Annotation strategies generate values of the annotated type, with at most 50 elements."""
    annotation = data.draw(
        st.sampled_from(
            [
                int,
                list[int],
                dict[str, list[int]],
                tuple[int, ...],
                tuple[int, str],
                set[str],
                int | None,
                Point,
                Pair,
            ]
        )
    )
    strategy = strategy_for_annotation(annotation)
    assert strategy is not None
    value = data.draw(strategy)
    origin = typing.get_origin(annotation) or annotation
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        assert value is None or isinstance(value, int)
    else:
        assert isinstance(value, origin)
    if isinstance(value, list | dict | set):
        assert len(value) <= 50


def test_annotation_strategy_is_none_for_opaque_types() -> None:
    """Any, object, plain classes, callables and string annotations cannot be generated."""
    for annotation in (typing.Any, object, Opaque, typing.Callable[[int], int], "int", list[Opaque]):
        assert strategy_for_annotation(annotation) is None


def test_float_specials_are_kept() -> None:
    """NaN and infinities seen in captured values are generated again."""
    shape = merge(describe(math.nan), describe(math.inf))
    assert shape["nan"] and shape["inf"]
    assert widen(shape)["min"] == -1.0
