"""OPT030: membership in a tuple or list of constants -> a set display (one frozenset constant)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
def classify(directions, n):
    out = []
    for d in directions:
        if d in ['R', 'AL',
                 'AN',]:
            out.append(1)
        elif d not in ('L', 'EN', 'ES', 'CS'):
            out.append(2)
        else:
            out.append(3)
    return out, n % 100 in (11, 12, 13), n in (-1, None, True, b"x")
"""


def test_constant_sequences_become_set_displays() -> None:
    """Lists and tuples of three or more literals on the right of in / not in become sets."""
    result = applied("OPT030", SOURCE, "classify")
    assert "if d in {'R', 'AL',\n                 'AN'}:" in result
    assert "elif d not in {'L', 'EN', 'ES', 'CS'}:" in result
    assert "n % 100 in {11, 12, 13}" in result
    assert 'n in {-1, None, True, b"x"}' in result


def test_short_or_non_literal_sequences_give_no_candidate() -> None:
    """Two elements, a name, a float, an f-string or a starred element keep the scan."""
    assert apply("OPT030", "def f(x):\n    return x in ('a', 'b')\n", "f") is None
    assert apply("OPT030", "def f(x, y):\n    return x in ('a', 'b', y)\n", "f") is None
    assert apply("OPT030", "def f(x):\n    return x in (0.5, 1, 2)\n", "f") is None
    assert apply("OPT030", "def f(x, y):\n    return x in ('a', 'b', f'{y}')\n", "f") is None
    assert apply("OPT030", "def f(x, ys):\n    return x in ['a', 'b', *ys]\n", "f") is None
    assert apply("OPT030", "def f(x):\n    return x == ('a', 'b', 'c')\n", "f") is None


def test_a_sequence_also_compared_in_a_chain_stays() -> None:
    """In `x in (1, 2, 3) == y` the tuple is compared with y too: a set would compare differently."""
    assert apply("OPT030", "def f(x, y):\n    return x in (1, 2, 3) == y\n", "f") is None
    assert "0 < x in {1, 2, 3}" in applied("OPT030", "def f(x):\n    return 0 < x in (1, 2, 3)\n", "f")


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(
    st.lists(st.sampled_from(["R", "AL", "AN", "L", "EN", "NSM", "", "r"]), max_size=12),
    st.integers(-200, 200),
)
def test_results_equal(directions: list[str], n: int) -> None:
    """On hashable values whose hash agrees with equality, the set gives the scan's answer."""
    original, rewritten = pair("OPT030", SOURCE, "classify")
    assert original(directions, n) == rewritten(directions, n)
