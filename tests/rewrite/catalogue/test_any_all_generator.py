"""OPT009: any([...]) / all([...]) -> generator expressions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = "def check(xs):\n    return any([x > 3 for x in xs]), all([x % 2 for x in xs])\n"


def test_list_comprehensions_become_generators() -> None:
    """The brackets go away inside any() and all()."""
    assert "return any(x > 3 for x in xs), all(x % 2 for x in xs)" in applied("OPT009", SOURCE, "check")


def test_sum_and_plain_lists_are_left_alone() -> None:
    """sum() is faster on a list on CPython 3.11; a plain list display has nothing to short-circuit."""
    assert apply("OPT009", "def f(xs):\n    return sum([x for x in xs])\n", "f") is None
    assert apply("OPT009", "def f(a, b):\n    return any([a, b])\n", "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.integers(-10, 10)))
def test_same_truth_values(xs: list[int]) -> None:
    """Short-circuiting does not change the answers."""
    original, rewritten = pair("OPT009", SOURCE, "check")
    assert original(xs) == rewritten(xs)
