"""OPT017: sum(lists, []) -> itertools.chain."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = '"""Flatten."""\n\n\ndef flatten(rows):\n    return sum(rows, [])\n'


def test_sum_with_empty_list_start_becomes_chain() -> None:
    """The flattening uses chain.from_iterable and imports itertools after the docstring."""
    result = applied("OPT017", SOURCE, "flatten")
    assert result.startswith('"""Flatten."""\nimport itertools\n')
    assert "return list(itertools.chain.from_iterable(rows))" in result


def test_numeric_sums_are_left_alone() -> None:
    """A sum with a numeric or non-empty start is not a flattening."""
    assert apply("OPT017", "def f(xs):\n    return sum(xs, 0)\n", "f") is None
    assert apply("OPT017", "def f(xs):\n    return sum(xs, [1])\n", "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.lists(st.integers(), max_size=4), max_size=8))
def test_same_flat_list(rows: list[list[int]]) -> None:
    """Chaining gives the same list as summing."""
    original, rewritten = pair("OPT017", SOURCE, "flatten")
    assert original(rows) == rewritten(rows)
