"""OPT021: if v in s: s.remove(v) -> s.discard(v) on sets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
def prune(values, dropped):
    pending = set(values)
    for v in dropped:
        if v in pending:
            pending.remove(v)
    return sorted(pending)
"""


def test_guarded_remove_becomes_discard() -> None:
    """The membership test and remove collapse into discard."""
    assert "        pending.discard(v)\n    return" in applied("OPT021", SOURCE, "prune")


def test_lists_and_unknown_containers_are_left_alone() -> None:
    """list.remove has no discard; an unannotated parameter could be a list."""
    lists = SOURCE.replace("set(values)", "list(values)")
    unknown = "def f(s, v):\n    if v in s:\n        s.remove(v)\n"
    assert apply("OPT021", lists, "prune") is None
    assert apply("OPT021", unknown, "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.integers(0, 9)), st.lists(st.integers(0, 9)))
def test_same_remaining_set(values: list[int], dropped: list[int]) -> None:
    """discard leaves the same elements as the guarded remove."""
    original, rewritten = pair("OPT021", SOURCE, "prune")
    assert original(values, dropped) == rewritten(values, dropped)
