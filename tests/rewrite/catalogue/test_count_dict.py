"""OPT006: manual counting with a membership test -> dict.get."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

COUNT = """\
def tally(words: list[str]) -> dict[str, int]:
    counts = {}
    for word in words:
        if word in counts:
            counts[word] += 1
        else:
            counts[word] = 1
    return counts
"""

WEIGHTED = """\
class Totals:
    def __init__(self):
        self.totals = {}

    def add(self, rows):
        for key, size in rows:
            if key not in self.totals:
                self.totals[key] = size
            else:
                self.totals[key] = self.totals[key] + size
        return self.totals
"""


def test_if_else_counting_becomes_get() -> None:
    """The four-line if/else becomes one dict.get line."""
    result = applied("OPT006", COUNT, "tally")
    assert "        counts[word] = counts.get(word, 0) + 1\n    return counts" in result


def test_negated_form_with_attribute_dict_and_weight() -> None:
    """`not in` with swapped branches, `self.` dicts and non-constant increments work."""
    result = applied("OPT006", WEIGHTED, "Totals.add")
    assert "self.totals[key] = self.totals.get(key, 0) + size" in result


def test_different_initial_value_gives_no_candidate() -> None:
    """Starting at 0 but adding 1 is not the same as get(k, 0) + 1."""
    source = COUNT.replace("counts[word] = 1", "counts[word] = 0")
    assert apply("OPT006", source, "tally") is None


def test_string_values_and_calls_in_key_give_no_candidate() -> None:
    """Concatenating strings, or keys computed by calls, are left alone."""
    strings = COUNT.replace("+= 1", "+= 'x'").replace("= 1", "= 'x'")
    call_key = COUNT.replace("word in counts", "key(word) in counts").replace(
        "counts[word]", "counts[key(word)]"
    )
    assert apply("OPT006", strings, "tally") is None
    assert apply("OPT006", call_key, "tally") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "d"])), st.lists(st.tuples(st.integers(0, 3), st.integers())))
def test_counts_are_identical(words: list[str], rows: list[tuple[int, int]]) -> None:
    """Counting with get gives the same dict, in the same key order."""
    original, rewritten = pair("OPT006", COUNT, "tally")
    assert list(original(words).items()) == list(rewritten(words).items())
    original_cls, rewritten_cls = pair("OPT006", WEIGHTED, "Totals", "Totals.add")
    assert original_cls().add(rows) == rewritten_cls().add(rows)
