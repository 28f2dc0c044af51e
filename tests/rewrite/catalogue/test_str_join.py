"""OPT003: str += in a loop -> list of pieces joined once."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

CSV = """\
def render(rows: list[tuple[str, int]]) -> str:
    out = "name,count\\n"
    for name, count in rows:
        if count:
            out += f"{name},{count}\\n"
    return out
"""

TWO_LOOPS = """\
def report(a: list[str], b: list[str]) -> str:
    text = ""
    for x in a:
        text += x
    text += "|"
    for y in b:
        text += y
    return text
"""


def test_literal_init_becomes_parts_list_and_join_follows_loop() -> None:
    """`out = "..."` becomes a parts list, += becomes append, and the join follows the loop."""
    result = applied("OPT003", CSV, "render")
    assert 'out_parts = ["name,count\\n"]' in result
    assert 'out_parts.append(f"{name},{count}\\n")' in result
    assert 'out = "".join(out_parts)\n    return out' in result


def test_second_loop_starts_from_current_text() -> None:
    """A later loop extending the same string starts its parts list from the current value."""
    result = applied("OPT003", TWO_LOOPS, "report")
    assert "text_parts = []" in result
    assert "text_parts_2 = [text]" in result
    assert result.count('"".join(') == 2


def test_string_read_inside_loop_gives_no_candidate() -> None:
    """If the loop reads the partial string, joining later would change behaviour."""
    source = 'def f(xs):\n    s = ""\n    for x in xs:\n        if len(s) > 3:\n            break\n        s += x\n    return s\n'
    assert apply("OPT003", source, "f") is None


def test_name_that_is_not_known_to_be_a_string_gives_no_candidate() -> None:
    """Numbers and lists built with += are not touched."""
    numbers = "def f(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total\n"
    unknown = "def f(xs, acc):\n    for x in xs:\n        acc += x\n    return acc\n"
    assert apply("OPT003", numbers, "f") is None
    assert apply("OPT003", unknown, "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=5), st.integers(0, 3))))
def test_joined_text_equals_concatenated_text(rows: list[tuple[str, int]]) -> None:
    """The joined string equals the one built with +=."""
    original, rewritten = pair("OPT003", CSV, "render")
    assert original(rows) == rewritten(rows)
    words = [name for name, _ in rows]
    original_report, rewritten_report = pair("OPT003", TWO_LOOPS, "report")
    assert original_report(words, words[::-1]) == rewritten_report(words, words[::-1])
