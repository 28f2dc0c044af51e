"""OPT016: for i in range(len(xs)) -> direct iteration or enumerate."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

DIRECT = (
    "def total(prices):\n    s = 0\n    for i in range(len(prices)):\n        s += prices[i]\n    return s\n"
)
WEIGHTED = (
    "def weighted(values):\n    s = 0\n    for i in range(len(values)):\n"
    "        if values[i] > 0:\n            s += values[i] * i\n    return s\n"
)


def test_index_only_loop_iterates_directly() -> None:
    """When i only indexes, the loop runs over the items under a singular name."""
    assert "for price in prices:\n        s += price\n" in applied("OPT016", DIRECT, "total")


def test_index_used_otherwise_becomes_enumerate() -> None:
    """When i is also used and xs[i] is read twice, the loop uses enumerate."""
    result = applied("OPT016", WEIGHTED, "weighted")
    assert "for i, value in enumerate(values):" in result and "s += value * i" in result


def test_stores_and_index_used_after_loop_are_left_alone() -> None:
    """Writing xs[i] or reading i after the loop keeps the indexing loop."""
    store = "def f(xs):\n    for i in range(len(xs)):\n        xs[i] = xs[i] * 2\n    return xs\n"
    after = DIRECT.replace("return s", "return s, i")
    assert apply("OPT016", store, "f") is None
    assert apply("OPT016", after, "total") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.integers(-100, 100)))
def test_same_sums(xs: list[int]) -> None:
    """Both loop shapes compute the same results."""
    original, rewritten = pair("OPT016", DIRECT, "total")
    assert original(xs) == rewritten(xs)
    original_w, rewritten_w = pair("OPT016", WEIGHTED, "weighted")
    assert original_w(xs) == rewritten_w(xs)
