"""OPT029: any()/all() over a generator -> a loop that breaks or returns at the deciding item."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

MATCHER = (
    "def imt(token, m=None, t=None):\n"
    "    if m:\n"
    "        if any(token == p for p in m):\n"
    "            return True\n"
    "    if t:\n"
    "        if not all(token != q for q in t if q is not None):\n"
    "            hit = 'y'\n"
    "        else:\n"
    "            hit = 'n'\n"
    "        return hit\n"
    "    return any(token > r for r in range(3))\n"
)


def test_if_any_becomes_a_loop_with_break() -> None:
    """The deciding item runs the block, then breaks (unless it returns); the filter becomes a nested if."""
    text = applied("OPT029", MATCHER, "imt")
    assert "for p in m:\n            if token == p:\n                return True\n    if t:" in text
    assert (
        "if not token != q:\n                    hit = 'y'\n                    break\n        else:" in text
    )
    assert "for r in range(3):\n        if token > r:\n            return True\n    return False" in text
    assert "any(" not in text and "all(" not in text


def test_unsafe_shapes_are_left_alone() -> None:
    """Shadowed builtins, a loop variable used elsewhere, break/continue in the moved block, two
    for clauses, and class bodies keep the generator."""
    assert apply("OPT029", "any = max\ndef f(xs):\n    return any(x for x in xs)\n", "f") is None
    assert apply("OPT029", "def f(xs, x):\n    if any(x for x in xs):\n        return x\n", "f") is None
    looped = (
        "def f(xss):\n    for xs in xss:\n        if any(x for x in xs):\n            break\n    return xs\n"
    )
    assert apply("OPT029", looped, "f") is None
    assert apply("OPT029", "def f(a, b):\n    return any(x == y for x in a for y in b)\n", "f") is None
    in_class = "def f(xs):\n    class C:\n        if any(x for x in xs):\n            y = 1\n    return C\n"
    assert apply("OPT029", in_class, "f") is None


def test_elif_chain_moves_into_the_loops_else() -> None:
    """`if any(...): A elif c: B else: C` keeps A at the deciding item and B/C when none decides."""
    source = (
        "def f(xs, c):\n    if any(x > 2 for x in xs):\n        r = 'A'\n    elif c:\n        r = 'B'\n"
        "    else:\n        r = 'C'\n    return r\n"
    )
    original, rewritten = pair("OPT029", source, "f")
    for xs, c in (([1, 5], True), ([1], True), ([], False), ([3], False)):
        assert original(xs, c) == rewritten(xs, c)


values = st.lists(st.one_of(st.integers(-3, 3), st.none()), max_size=6)


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.integers(-3, 3), st.one_of(st.none(), values), st.one_of(st.none(), values))
def test_same_answers(token: int, m: Any, t: Any) -> None:
    """Every branch decides the same way for any inputs (including None items and empty lists)."""
    original, rewritten = pair("OPT029", MATCHER, "imt")
    assert original(token, m, t) == rewritten(token, m, t)


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.integers(-3, 3), max_size=8))
def test_stops_at_the_same_item(xs: list[int]) -> None:
    """The loop consumes exactly as many items as the generator did (side effects on the iterator)."""
    source = "def f(it):\n    return all(x < 2 for x in it)\n"
    original, rewritten = pair("OPT029", source, "f")
    left = []
    for function in (original, rewritten):
        iterator = iter(xs)
        function(iterator)
        left.append(list(iterator))
    assert left[0] == left[1]
