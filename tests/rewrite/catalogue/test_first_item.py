"""OPT020: list(x)[0] -> next(iter(x))."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = "def first(d):\n    return list(d)[0]\n"


def test_first_element_without_copy() -> None:
    """The copy is replaced by taking the first element of an iterator."""
    assert "return next(iter(d))" in applied("OPT020", SOURCE, "first")


def test_other_indexes_are_left_alone() -> None:
    """Only index 0 is rewritten."""
    assert apply("OPT020", "def f(d):\n    return list(d)[1]\n", "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.dictionaries(st.text(max_size=3), st.integers(), min_size=1))
def test_same_first_key(d: dict[str, int]) -> None:
    """The first key is the same for non-empty dicts."""
    original, rewritten = pair("OPT020", SOURCE, "first")
    assert original(d) == rewritten(d)
