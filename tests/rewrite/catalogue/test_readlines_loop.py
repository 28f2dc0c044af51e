"""OPT022: for line in f.readlines() -> for line in f."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
import io


def widths(text):
    f = io.StringIO(text)
    out = []
    for line in f.readlines():
        out.append(len(line))
    return out
"""


def test_loop_iterates_the_file_directly() -> None:
    """The loop reads lines lazily from the file object."""
    assert "for line in f:" in applied("OPT022", SOURCE, "widths")


def test_loop_reading_the_file_itself_is_left_alone() -> None:
    """Reading from the file inside the loop would interleave differently."""
    source = SOURCE.replace("out.append(len(line))", "out.append(f.readline())")
    assert apply("OPT022", source, "widths") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.text(alphabet="ab\n", max_size=30))
def test_same_lines(text: str) -> None:
    """Iterating the file yields the same lines as readlines()."""
    original, rewritten = pair("OPT022", SOURCE, "widths")
    assert original(text) == rewritten(text)
