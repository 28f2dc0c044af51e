"""OPT026: for x in y: out.append(x) -> out.extend(y)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
class Log:
    def __init__(self):
        self.lines = []

    def add_all(self, new):
        for line in new:
            self.lines.append(line)
        return self.lines
"""


def test_copy_loop_into_attribute_list_becomes_extend() -> None:
    """Appending each item of an iterable is one extend call."""
    assert "        self.lines.extend(new)\n        return self.lines" in applied(
        "OPT026", SOURCE, "Log.add_all"
    )


def test_transformed_items_or_self_extension_are_left_alone() -> None:
    """Appending something other than the loop variable, or iterating the target list, keeps the loop."""
    transformed = SOURCE.replace("append(line)", "append(line.strip())")
    itself = "def f(out):\n    for x in out[:2]:\n        out.append(x)\n    return out\n"
    assert apply("OPT026", transformed, "Log.add_all") is None
    assert apply("OPT026", itself, "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.text(max_size=3)), st.lists(st.text(max_size=3)))
def test_same_list(first: list[str], second: list[str]) -> None:
    """extend builds the same list as the append loop."""
    original, rewritten = pair("OPT026", SOURCE, "Log", "Log.add_all")
    a, b = original(), rewritten()
    a.add_all(first)
    b.add_all(first)
    assert a.add_all(second) == b.add_all(second)
