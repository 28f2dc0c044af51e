"""OPT013: result = result + [x] in a loop -> append."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
def build(xs):
    result = []
    for x in xs:
        result = result + [x * 2]
        result += [x, x]
    return result
"""


def test_concatenation_becomes_append_and_extend() -> None:
    """A one-element list is appended; a longer list display is extended."""
    result = applied("OPT013", SOURCE, "build")
    assert "result.append(x * 2)" in result and "result.extend([x, x])" in result


def test_aliased_or_parameter_lists_are_left_alone() -> None:
    """In-place growth would be visible through an alias or to the caller."""
    aliased = SOURCE.replace("    return result", "    keep = result\n    return keep")
    parameter = "def f(result, xs):\n    for x in xs:\n        result = result + [x]\n    return result\n"
    stored = SOURCE.replace("result += [x, x]", "rows.append(result)")
    for source in (aliased, parameter, stored):
        assert apply("OPT013", source, "build" if source is not parameter else "f") is None, source


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.integers()))
def test_same_list(xs: list[int]) -> None:
    """Appending in place builds the same list."""
    original, rewritten = pair("OPT013", SOURCE, "build")
    assert original(xs) == rewritten(xs)
