"""OPT018: int(math.sqrt(n)) -> math.isqrt(n)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = "import math\n\n\ndef bounds(n):\n    return int(math.sqrt(n)), int(n ** 0.5)\n"


def test_both_float_spellings_become_isqrt() -> None:
    """math.sqrt and ** 0.5 inside int() both become math.isqrt."""
    assert "return math.isqrt(n), math.isqrt(n)" in applied("OPT018", SOURCE, "bounds")


def test_import_added_when_missing_and_other_roots_left_alone() -> None:
    """`import math` is added if needed; cube roots and float literals are not touched."""
    assert applied("OPT018", "def f(n):\n    return int(n ** 0.5)\n", "f").startswith("import math\n")
    assert apply("OPT018", "def f(n):\n    return int(n ** (1 / 3))\n", "f") is None
    assert apply("OPT018", "def f():\n    return int(2.0 ** 0.5)\n", "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.integers(0, 2**40))
def test_same_integer_roots_below_float_precision(n: int) -> None:
    """For ints the float forms handle exactly, isqrt gives the same root."""
    original, rewritten = pair("OPT018", SOURCE, "bounds")
    assert original(n) == rewritten(n)
