"""OPT031: membership in a set display with non-constant elements -> a tuple display."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
import enum


class Kind(enum.Enum):
    SLB = 1
    MLB = 2
    SLL = 3

    def is_basic(self):
        return self in {Kind.SLB, Kind.MLB}


def pick(kinds, extra):
    return [k for k in kinds if k not in {extra}], [k in {Kind.SLL, 'x'} for k in kinds]
"""


def test_set_displays_with_names_become_tuples() -> None:
    """Enum members and names are tested against a tuple; a one-element display keeps its comma."""
    assert "return self in (Kind.SLB, Kind.MLB)" in applied("OPT031", SOURCE, "Kind.is_basic")
    result = applied("OPT031", SOURCE, "pick")
    assert "k not in (extra,)" in result and "k in (Kind.SLL, 'x')" in result


def test_constant_or_starred_sets_and_other_operators_give_no_candidate() -> None:
    """A set of constants is already one frozenset; a starred element or a set used otherwise stays."""
    assert apply("OPT031", "def f(x):\n    return x in {'a', 'b'}\n", "f") is None
    assert apply("OPT031", "def f(x, ys, y):\n    return x in {*ys, y}\n", "f") is None
    assert apply("OPT031", "def f(x, y):\n    return x == {y}\n", "f") is None
    assert apply("OPT031", "def f(x, y):\n    s = {x, y}\n    return 1 in s\n", "f") is None
    assert apply("OPT031", "def f(x, a, s):\n    return x in {a, 1} == s\n", "f") is None  # set == s


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(["SLB", "MLB", "SLL"]), max_size=8), st.sampled_from(["SLB", "MLB", "SLL"]))
def test_results_equal(names: list[str], extra: str) -> None:
    """Enum members are found in the tuple exactly when they are in the set."""
    original, rewritten = pair("OPT031", SOURCE, "pick")
    kinds_a = [getattr(original.__globals__["Kind"], n) for n in names]
    kinds_b = [getattr(rewritten.__globals__["Kind"], n) for n in names]
    extra_a = getattr(original.__globals__["Kind"], extra)
    extra_b = getattr(rewritten.__globals__["Kind"], extra)
    first, second = original(kinds_a, extra_a), rewritten(kinds_b, extra_b)
    assert [k.name for k in first[0]] == [k.name for k in second[0]]
    assert first[1] == second[1]
