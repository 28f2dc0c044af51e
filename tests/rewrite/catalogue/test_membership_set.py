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
    """A membership test inside a comprehension gets its (guarded) set built before the statement."""
    result = applied("OPT002", COMPREHENSION, "common")
    assert "    ys_set = set(ys) if {*map(type, ys)} <= {int, str, float, bytes, bool} else ys\n" in result
    assert "    return [x for x in xs if (x in ys_set if type(x) in scalar_types else x in ys)]" in result


def test_unproven_elements_are_guarded_proven_ones_are_not() -> None:
    """A bare `list` gets the guarded set; `list[str]` proves hashable, consistent elements."""
    bare = applied("OPT002", FILTER.replace("banned: list[str]", "banned: list"), "keep")
    assert "banned_set = set(banned) if {*map(type, banned)} <=" in bare
    assert "if not (word in banned_set if type(word) in scalar_types else word in banned):" in bare or (
        "(word not in banned_set if type(word) in scalar_types else word not in banned)" in bare
    )
    typed = applied("OPT002", FILTER, "keep")
    assert "banned_set = set(banned)\n" in typed and "scalar_types" not in typed


def test_a_needle_evaluated_by_a_call_keeps_the_list_scan_when_unproven() -> None:
    """`f(x) in ys` cannot be type-checked without calling f twice: that test keeps the list."""
    source = "def f(xs, ys: list):\n    return [x for x in xs if g(x) in ys]\n"
    assert apply("OPT002", source, "f") is None


_ODD = st.sampled_from([1, 1.0, True, 0, False, None, float("nan"), "a", "A", (1, [2]), [1], {"a": 1}, {1}])


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, 3), _ODD), max_size=6),
    st.lists(st.one_of(st.integers(0, 3), _ODD), max_size=6),
)
def test_guarded_set_agrees_with_the_list_on_any_values(xs: list[object], ys: list[object]) -> None:
    """Unhashable, NaN, equal values of different types: the guarded form answers as the list did."""
    from optiagent.harness.contract import FoldedStr, Mod10

    original, rewritten = pair("OPT002", COMPREHENSION, "common")
    for extra in ([], [FoldedStr("a"), Mod10(13)]):
        expected = original(xs, ys + extra)
        assert repr(expected) == repr(rewritten(xs, ys + extra))


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


def test_no_set_is_hoisted_where_the_list_may_change_before_the_test_runs() -> None:
    """A generator expression that escapes runs later; a loop that yields lets the caller run
    between items: in both the list may change after the set would be built."""
    returned = "def f(words, banned: list[str]):\n    return (w for w in words if w not in banned)\n"
    yielding = (
        "def f(words, banned: list[str]):\n    for w in words:\n        if w not in banned:\n"
        "            yield w\n"
    )
    assert apply("OPT002", returned, "f") is None
    assert apply("OPT002", yielding, "f") is None
    consumed = "def f(words, banned: list[str]):\n    return any(w in banned for w in words)\n"
    assert "any(w in banned_set for w in words)" in applied("OPT002", consumed, "f")
