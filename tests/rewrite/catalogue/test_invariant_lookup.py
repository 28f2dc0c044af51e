"""OPT015: loop-invariant lookups bound to locals before the loop."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
import math


class Scaler:
    def __init__(self, factor):
        self.factor = factor

    def total(self, xs):
        i = 0
        out = 0.0
        while i < len(xs):
            out += math.sqrt(abs(xs[i])) * self.factor
            i += 1
        return out
"""


def test_module_function_attribute_and_len_are_hoisted() -> None:
    """math.sqrt, self.factor and len(xs) are bound once before the while loop."""
    result = applied("OPT015", SOURCE, "Scaler.total")
    assert (
        "        xs_len = len(xs)\n        sqrt = math.sqrt\n        factor_2 = self.factor\n        while i < xs_len:"
        in result
    )
    assert "out += sqrt(abs(xs[i])) * factor_2" in result


def test_state_changed_in_loop_blocks_hoisting() -> None:
    """Attribute stores or method calls on the owner keep its attributes in the loop; a growing list keeps len()."""
    stored = SOURCE.replace("i += 1", "i += 1\n            self.factor = 1").replace(
        "math.sqrt(abs(xs[i]))", "xs[i]"
    )
    method = SOURCE.replace("i += 1", "i += 1\n            self.bump()").replace(
        "math.sqrt(abs(xs[i]))", "xs[i]"
    )
    growing = (
        "def f(xs):\n    i = 0\n    while i < len(xs):\n        xs.append(1)\n        i += 5\n    return i\n"
    )
    for source in (stored, method):
        assert "out += xs[i] * self.factor" in applied("OPT015", source, "Scaler.total")
    assert apply("OPT015", growing, "f") is None


def test_attribute_reads_alone_are_not_hoisted() -> None:
    """A loop that would only save `self.attr` reads (specialised on CPython 3.11) is left alone;
    with a len() call to save as well, the attribute is hoisted with it."""
    only_attributes = (
        "class Walker:\n    def walk(self, xs):\n        out = 0\n        for x in xs:\n"
        "            out += x * self.step\n        return out\n"
    )
    assert apply("OPT015", only_attributes, "Walker.walk") is None
    with_length = only_attributes.replace("x * self.step", "x * self.step + len(xs)")
    assert "step = self.step" in applied("OPT015", with_length, "Walker.walk")


def test_bound_methods_are_not_hoisted() -> None:
    """out.append stays a method call: a stored bound method is slower on CPython 3.11."""
    source = "def f(xs):\n    out = []\n    for x in xs:\n        out.append(x)\n    return out\n"
    assert apply("OPT015", source, "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.floats(-100, 100), st.lists(st.floats(-1e6, 1e6)))
def test_same_total(factor: float, xs: list[float]) -> None:
    """Hoisted lookups compute the same sum."""
    original, rewritten = pair("OPT015", SOURCE, "Scaler", "Scaler.total")
    assert original(factor).total(xs) == rewritten(factor).total(xs)
