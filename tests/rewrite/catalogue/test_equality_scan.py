"""OPT012: nested equality scan -> set lookup."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
def common(xs, ys):
    out = []
    for a in xs:
        for b in ys:
            if a == b:
                out.append(a)
                break
    return out
"""


def test_inner_scan_becomes_membership_on_hoisted_set() -> None:
    """The set is built before the outer loop and the inner loop becomes an if."""
    result = applied("OPT012", SOURCE, "common")
    assert (
        "    ys_set = set(ys)\n    for a in xs:\n        if a in ys_set:\n            out.append(a)\n    return out"
        in result
    )


def test_body_using_the_matched_element_or_without_break_is_left_alone() -> None:
    """Without break the body may run several times; using b would need the matched object."""
    no_break = SOURCE.replace("                break\n", "")
    uses_b = SOURCE.replace("out.append(a)", "out.append(b)")
    mutated = SOURCE.replace("out.append(a)", "out.append(a)\n                ys.append(a)")
    for source in (no_break, uses_b, mutated):
        assert apply("OPT012", source, "common") is None, source


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.integers(0, 10)), st.lists(st.integers(0, 10)))
def test_same_common_elements(xs: list[int], ys: list[int]) -> None:
    """The set lookup finds the same elements, duplicates in xs included."""
    original, rewritten = pair("OPT012", SOURCE, "common")
    assert original(xs, ys) == rewritten(xs, ys)
