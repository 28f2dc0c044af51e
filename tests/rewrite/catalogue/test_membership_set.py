"""OPT002: list membership inside a loop -> set built once."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

FILTER = """\
def keep(words: list[str], banned: list[str]) -> list[str]:
    out = []
    # only allowed words
    for word in words:
        if word not in banned:
            out.append(word)
    return out
"""

COMPREHENSION = """\
def common(xs, ys):
    ys = list(ys)
    return [x for x in xs if x in ys]
"""

NESTED = """\
def count_hits(rows: list[list[int]], wanted: list[int]) -> int:
    hits = 0
    for row in rows:
        for value in row:
            if value in wanted:
                hits += 1
    return hits
"""


def test_hoists_set_before_loop_keeping_comment_above_loop() -> None:
    """The set is built before the loop, takes the loop's comment, and the test uses it."""
    result = applied("OPT002", FILTER, "keep")
    assert (
        "    out = []\n    # only allowed words\n    banned_set = set(banned)\n    for word in words:"
        in result
    )
    assert "if word not in banned_set:" in result


def test_comprehension_membership_is_hoisted_before_the_statement() -> None:
    """A membership test inside a comprehension gets its set built before the statement."""
    result = applied("OPT002", COMPREHENSION, "common")
    assert "ys_set = set(ys)\n    return [x for x in xs if x in ys_set]" in result


def test_set_is_hoisted_outside_the_outermost_invariant_loop() -> None:
    """With nested loops the set is built once, before the outer loop."""
    result = applied("OPT002", NESTED, "count_hits")
    assert "    wanted_set = set(wanted)\n    for row in rows:" in result


def test_fresh_name_does_not_clash() -> None:
    """An existing `banned_set` name forces a different local name."""
    source = FILTER.replace("out = []", "out = []\n    banned_set = None")
    assert "banned_set_2 = set(banned)" in applied("OPT002", source, "keep")


def test_list_mutated_in_loop_gives_no_candidate() -> None:
    """A list appended to inside the loop is not loop-invariant."""
    source = "def f(xs):\n    seen = []\n    for x in xs:\n        if x not in seen:\n            seen.append(x)\n    return seen\n"
    assert apply("OPT002", source, "f") is None


def test_list_passed_to_unknown_call_in_loop_gives_no_candidate() -> None:
    """A call that receives the list might mutate it, so nothing is hoisted."""
    source = "def f(xs, ys: list):\n    n = 0\n    for x in xs:\n        touch(ys)\n        n += x in ys\n    return n\n"
    assert apply("OPT002", source, "f") is None


def test_strings_dicts_and_single_tests_are_left_alone() -> None:
    """Names known to be str/dict, and tests outside any loop, give no candidate."""
    text = "def f(chars):\n    vowels = 'aeiou'\n    return [c for c in chars if c in vowels]\n"
    table = "def f(xs):\n    d = {1: 2}\n    return [x for x in xs if x in d]\n"
    single = "def f(x, ys: list):\n    return x in ys\n"
    for source in (text, table, single):
        assert apply("OPT002", source, "f") is None, source


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.integers(0, 20)), st.lists(st.integers(0, 20)))
def test_hoisted_set_gives_same_results(xs: list[int], ys: list[int]) -> None:
    """Filtering with the hoisted set equals filtering with the list."""
    original, rewritten = pair("OPT002", COMPREHENSION, "common")
    assert original(xs, ys) == rewritten(xs, ys)
    rows = [xs, ys]
    nested_original, nested_rewritten = pair("OPT002", NESTED, "count_hits")
    assert nested_original(rows, ys) == nested_rewritten(rows, ys)
