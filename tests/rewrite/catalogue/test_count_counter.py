"""OPT014: xs.count(v) in a loop -> Counter built once."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
def dupes(xs: list[int]) -> list[int]:
    out = []
    for x in xs:
        if xs.count(x) > 1:
            out.append(x)
    return out
"""


def test_count_becomes_counter_lookup() -> None:
    """A Counter is built before the loop and indexed inside it."""
    result = applied("OPT014", SOURCE, "dupes")
    assert "xs_counts = collections.Counter(xs)" in result and "if xs_counts[x] > 1:" in result
    assert result.startswith("import collections\n")


def test_strings_and_mutated_lists_are_left_alone() -> None:
    """str.count counts substrings; a list changed in the loop has changing counts."""
    text = "def f(words):\n    s = 'abcab'\n    return [s.count(w) for w in words]\n"
    mutated = SOURCE.replace("out.append(x)", "out.append(x)\n            xs.append(x)")
    assert apply("OPT014", text, "f") is None
    assert apply("OPT014", mutated, "dupes") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.integers(0, 6)))
def test_same_duplicates(xs: list[int]) -> None:
    """Counter lookups give the same counts as list.count."""
    original, rewritten = pair("OPT014", SOURCE, "dupes")
    assert original(xs) == rewritten(xs)
