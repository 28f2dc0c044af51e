"""Input inference aimed at a function's branches: mined constants, a small universe, more types."""

from __future__ import annotations

import typing

import numpy as np
import numpy.typing as npt
from hypothesis import find, given, settings
from hypothesis import strategies as st

from optiagent.harness.mining import explicit_calls, mine, seed_values
from optiagent.harness.shapes import strategy_for_annotation


def parse_duration(text: str) -> int:
    """Seconds in "1h30m" style text."""
    total, number = 0, 0
    units = {"h": 3600, "m": 60, "s": 1}
    for ch in text:
        if ch in "0123456789":
            number = number * 10 + int(ch)
        elif ch in units:
            total += number * units[ch]
            number = 0
        else:
            return -1
    return total + number


def grade(score: int) -> str:
    return "A" if score >= 90 else "B" if score >= 80 else "F"


class Order(typing.TypedDict, total=False):
    sku: typing.Required[str]
    quantity: int


def test_constants_are_mined_without_the_docstring() -> None:
    mined = mine(parse_duration)
    assert {"h", "m", "s", "0123456789"} <= set(mined.tokens)
    assert not any("Seconds" in token for token in mined.tokens)
    assert {3599, 3600, 3601, 59, 60, 61} <= set(mined.ints)
    assert {89, 90, 91, 79, 80, 81} <= set(mine(grade).ints)


def test_small_text_strings_tokens_together() -> None:
    """Tokens combine into the inputs a parser needs: digits followed by a unit."""
    strategy = strategy_for_annotation(str, small=True, mined=mine(parse_duration))
    assert strategy is not None
    found = find(strategy, lambda s: parse_duration(s) >= 3600, settings=settings(database=None))
    assert parse_duration(found) >= 3600


def test_small_ints_reach_the_mined_boundaries() -> None:
    strategy = strategy_for_annotation(int, small=True, mined=mine(grade))
    assert strategy is not None
    assert find(strategy, lambda n: grade(n) == "B", settings=settings(database=None)) in (80, 81)


def test_seed_values_pair_one_character_tokens() -> None:
    def balanced(text: str) -> bool:
        return text.count("(") == text.count(")")

    seeds = seed_values(str, mine(balanced))
    assert "" in seeds and "()" in seeds and ")(" in seeds
    calls = explicit_calls([seeds, []], [None, 7])
    assert calls[0] == ("", 7) and len(calls) == len(seeds)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_typed_dicts_have_their_required_keys(data: st.DataObject) -> None:
    strategy = strategy_for_annotation(Order)
    assert strategy is not None
    order = data.draw(strategy)
    assert isinstance(order["sku"], str)
    assert set(order) <= {"sku", "quantity"}
    assert isinstance(order.get("quantity", 0), int)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_ndarrays_of_the_annotated_dtype(data: st.DataObject) -> None:
    ints = strategy_for_annotation(npt.NDArray[np.int64])
    floats = strategy_for_annotation(np.ndarray)
    assert ints is not None and floats is not None
    array = data.draw(ints)
    assert isinstance(array, np.ndarray) and array.dtype == np.int64 and array.ndim == 1
    values = data.draw(floats)
    assert values.dtype == np.float64 and np.isfinite(values).all()
