"""OPT024: counting loop into a fresh dict -> dict(collections.Counter(...))."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
def tally(words):
    counts = {}
    for w in words:
        if w in counts:
            counts[w] += 1
        else:
            counts[w] = 1
    return counts
"""
FILTERED = """\
def lengths(words):
    counts = {}
    for w in words:
        if w:
            counts[len(w)] = counts.get(len(w), 0) + 1
    return counts
"""


def test_plain_counting_loop_becomes_counter() -> None:
    """The loop collapses to a Counter over the iterable, kept as a plain dict."""
    result = applied("OPT024", SOURCE, "tally")
    assert "    counts = dict(collections.Counter(words))\n    return counts" in result


def test_filtered_get_counting_becomes_counter_of_generator() -> None:
    """A derived key and a filter become a generator inside Counter."""
    assert "counts = dict(collections.Counter(len(w) for w in words if w))" in applied(
        "OPT024", FILTERED, "lengths"
    )


def test_loop_doing_more_than_counting_is_left_alone() -> None:
    """Other work in the loop, or increments other than 1, keep the loop."""
    more = SOURCE.replace("    return counts", "    return counts, w")
    by_two = SOURCE.replace("+= 1", "+= 2").replace("= 1\n", "= 2\n")
    assert apply("OPT024", more, "tally") is None
    assert apply("OPT024", by_two, "tally") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(["", "a", "bb", "a", "ccc"])))
def test_same_counts_and_order(words: list[str]) -> None:
    """Counter gives the same counts in the same first-seen order."""
    original, rewritten = pair("OPT024", SOURCE, "tally")
    assert list(original(words).items()) == list(rewritten(words).items())
    original_f, rewritten_f = pair("OPT024", FILTERED, "lengths")
    assert list(original_f(words).items()) == list(rewritten_f(words).items())
