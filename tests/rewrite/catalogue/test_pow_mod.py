"""OPT011: (a ** b) % m -> pow(a, b, m)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = "def encrypt(x, e, m):\n    return (x ** e) % m + x ** 2 % m\n"


def test_power_modulo_becomes_three_argument_pow() -> None:
    """Parenthesized and bare forms both become pow(a, b, m)."""
    assert "return pow(x, e, m) + pow(x, 2, m)" in applied("OPT011", SOURCE, "encrypt")


def test_negative_exponent_and_floats_are_left_alone() -> None:
    """pow(a, -1, m) is a modular inverse and floats are not allowed in 3-argument pow."""
    assert apply("OPT011", "def f(x, m):\n    return (x ** -1) % m\n", "f") is None
    assert apply("OPT011", "def f(x, m):\n    return (x ** 2.0) % m\n", "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.integers(-1000, 1000), st.integers(0, 60), st.integers(1, 10**9))
def test_same_residues(x: int, e: int, m: int) -> None:
    """pow(a, b, m) equals (a ** b) % m for non-negative exponents."""
    original, rewritten = pair("OPT011", SOURCE, "encrypt")
    assert original(x, e, m) == rewritten(x, e, m)
