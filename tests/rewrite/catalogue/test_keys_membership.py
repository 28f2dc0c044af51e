"""OPT019: d.keys() in membership tests and loops -> d."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
def known(keys, table):
    found = [k for k in keys if k in table.keys()]
    for k in table.keys():
        found.append(k)
    return found
"""


def test_keys_views_are_dropped() -> None:
    """Membership and iteration use the dict itself."""
    result = applied("OPT019", SOURCE, "known")
    assert "if k in table]" in result and "for k in table:" in result


def test_keys_with_arguments_or_values_are_left_alone() -> None:
    """Only argument-less .keys() calls are rewritten."""
    assert apply("OPT019", "def f(k, d):\n    return k in d.values()\n", "f") is None
    assert apply("OPT019", "def f(k, d):\n    return k in d.keys(1)\n", "f") is None


def test_a_view_also_compared_in_a_chain_stays() -> None:
    """In `k in d.keys() == s` the view is compared with s too (a keys view equals a set; a dict does not)."""
    assert apply("OPT019", "def f(k, d, s):\n    return k in d.keys() == s\n", "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.integers(0, 9)), st.dictionaries(st.integers(0, 9), st.integers()))
def test_same_keys_found(keys: list[int], table: dict[int, int]) -> None:
    """Dict membership and iteration equal those of its keys view."""
    original, rewritten = pair("OPT019", SOURCE, "known")
    assert original(keys, table) == rewritten(keys, table)
