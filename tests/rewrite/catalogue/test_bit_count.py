"""OPT010: bin(x).count("1") -> x.bit_count()."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = "def weight(a, b):\n    return bin(a).count('1') + bin(a ^ b).count(\"1\")\n"


def test_population_count_uses_bit_count_with_parentheses_where_needed() -> None:
    """Names take .bit_count() directly, compound expressions are parenthesized."""
    assert "return a.bit_count() + (a ^ b).bit_count()" in applied("OPT010", SOURCE, "weight")


def test_counting_other_characters_is_left_alone() -> None:
    """Counting zeros (or anything but "1") is a different question."""
    assert apply("OPT010", "def f(a):\n    return bin(a).count('0')\n", "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.integers(), st.integers())
def test_same_counts_including_negatives(a: int, b: int) -> None:
    """bit_count agrees with counting ones in bin() for any int, negative ones included."""
    original, rewritten = pair("OPT010", SOURCE, "weight")
    assert original(a, b) == rewritten(a, b)
