"""OPT004: append-only loops -> list comprehensions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

FILTERED = """\
def evens_squared(xs: list[int]) -> list[int]:
    # squares of the even numbers
    result = []
    for x in xs:
        if x % 2 == 0:
            result.append(x * x)
    return result
"""

NESTED = """\
def pairs(xs, ys):
    out = []
    for x in xs:
        for y in ys:
            if x < y:
                out.append((x, y))
    return out
"""


def test_filtered_loop_becomes_comprehension() -> None:
    """An append inside an if becomes a comprehension with a filter; the comment stays."""
    result = applied("OPT004", FILTERED, "evens_squared")
    assert (
        "    # squares of the even numbers\n    result = [x * x for x in xs if x % 2 == 0]\n    return result"
        in result
    )


def test_nested_loops_become_nested_clauses() -> None:
    """Nested for loops become successive for clauses."""
    assert "out = [(x, y) for x in xs for y in ys if x < y]" in applied("OPT004", NESTED, "pairs")


def test_copy_loop_becomes_list_call() -> None:
    """Appending the loop variable itself becomes list(iterable)."""
    source = "def f(xs):\n    out = []\n    for x in xs:\n        out.append(x)\n    return out\n"
    assert "out = list(xs)" in applied("OPT004", source, "f")


def test_loop_reading_the_list_gives_no_candidate() -> None:
    """A loop that checks the list it builds (dedup) is not a comprehension."""
    source = "def f(xs):\n    out = []\n    for x in xs:\n        if x not in out:\n            out.append(x)\n    return out\n"
    assert apply("OPT004", source, "f") is None


def test_loop_variable_used_after_loop_gives_no_candidate() -> None:
    """The comprehension would not leave the loop variable bound."""
    source = "def f(xs):\n    out = []\n    for x in xs:\n        out.append(x * 2)\n    return out, x\n"
    assert apply("OPT004", source, "f") is None


def test_other_statements_in_loop_or_else_clause_give_no_candidate() -> None:
    """Extra statements in the body, or a for-else, keep the loop."""
    extra = "def f(xs):\n    out = []\n    n = 0\n    for x in xs:\n        n += 1\n        out.append(x)\n    return out\n"
    with_else = "def f(xs):\n    out = []\n    for x in xs:\n        out.append(x)\n    else:\n        pass\n    return out\n"
    assert apply("OPT004", extra, "f") is None
    assert apply("OPT004", with_else, "f") is None


def test_class_body_is_left_alone() -> None:
    """Comprehensions in class bodies cannot see class variables, so class-level loops are skipped."""
    source = "class A:\n    k = 2\n    out = []\n    for x in range(3):\n        out.append(x * k)\n"
    assert apply("OPT004", source, "<program>") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.integers(-50, 50)), st.lists(st.integers(-50, 50), max_size=8))
def test_comprehension_builds_same_list(xs: list[int], ys: list[int]) -> None:
    """The comprehension builds the same list as the loop."""
    original, rewritten = pair("OPT004", FILTERED, "evens_squared")
    assert original(xs) == rewritten(xs)
    nested_original, nested_rewritten = pair("OPT004", NESTED, "pairs")
    assert nested_original(xs[:8], ys) == nested_rewritten(xs[:8], ys)
