"""OPT005: sorted(x)[0] / [-1] -> min / max."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
def extremes(xs, names):
    return sorted(xs)[0], sorted(xs)[-1], sorted(names, key=len)[0], sorted(xs, reverse=True)[0]
"""


def test_first_and_last_become_min_and_max() -> None:
    """Each supported spelling turns into min or max, keeping key=."""
    result = applied("OPT005", SOURCE, "extremes")
    assert "return min(xs), max(reversed(xs)), min(names, key=len), max(xs)" in result


def test_last_of_something_not_known_to_be_a_sequence_is_left_alone() -> None:
    """`sorted(gen)[-1]` would need reversed() on a generator or set: not rewritten."""
    assert apply("OPT005", "def f(xs):\n    return sorted(x for x in xs)[-1]\n", "f") is None
    assert apply("OPT005", "def f(xs: set[int]):\n    return sorted(xs)[-1]\n", "f") is None


def test_last_with_key_and_other_indexes_are_left_alone() -> None:
    """[-1] with key= (ties pick a different element) and [1] are not rewritten."""
    assert apply("OPT005", "def f(xs):\n    return sorted(xs, key=abs)[-1]\n", "f") is None
    assert apply("OPT005", "def f(xs):\n    return sorted(xs)[1]\n", "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=1), st.lists(st.text(max_size=3), min_size=1))
def test_same_elements_as_sorting(xs: list[int], names: list[str]) -> None:
    """min/max return the very elements sorting would have picked."""
    original, rewritten = pair("OPT005", SOURCE, "extremes")
    assert original(xs, names) == rewritten(xs, names)


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from([0, 1, 1.0, True, False, 0.0, 2]), min_size=1))
def test_equal_values_of_different_types_pick_the_same_one(xs: list[object]) -> None:
    """1, 1.0 and True are equal: the rewrite keeps the very one (and type) sorting kept."""
    original, rewritten = pair("OPT005", SOURCE, "extremes")
    assert repr(original(xs, ["a"])) == repr(rewritten(xs, ["a"]))
