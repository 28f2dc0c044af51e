"""OPT028: "sep".join(generator) -> "sep".join([list comprehension])."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = (
    "def render(tokens, sep):\n"
    "    head = ''.join(t.upper() for t in tokens if t)\n"
    "    return head + ', '.join(str(len(t)) for t in tokens)\n"
)


def test_generators_in_literal_joins_become_list_comprehensions() -> None:
    """Both literal joins get brackets; the filter and element expressions are kept."""
    text = applied("OPT028", SOURCE, "render")
    assert "''.join([t.upper() for t in tokens if t])" in text
    assert "', '.join([str(len(t)) for t in tokens])" in text


def test_joins_on_names_and_other_calls_are_left_alone() -> None:
    """A name's join could be any object's (lazy) join; other calls and lists have nothing to gain."""
    assert apply("OPT028", "def f(sep, xs):\n    return sep.join(x for x in xs)\n", "f") is None
    assert apply("OPT028", "import os\ndef f(xs):\n    return os.path.join(x for x in xs)\n", "f") is None
    assert apply("OPT028", "def f(xs):\n    return ''.join([x for x in xs])\n", "f") is None
    assert apply("OPT028", "def f(xs):\n    return sum(x for x in xs)\n", "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.text(max_size=4)), st.text(max_size=2))
def test_same_text(tokens: list[str], sep: str) -> None:
    """The joined text is the same for any tokens."""
    original, rewritten = pair("OPT028", SOURCE, "render")
    assert original(tokens, sep) == rewritten(tokens, sep)


def test_same_exception_when_an_item_is_not_a_string() -> None:
    """A non-str item raises the same TypeError either way (join sees the same sequence)."""
    source = "def f(xs):\n    return '-'.join(x for x in xs)\n"
    original, rewritten = pair("OPT028", source, "f")
    errors = []
    for function in (original, rewritten):
        try:
            function(["a", 1])
        except TypeError as error:
            errors.append(str(error))
    assert len(errors) == 2 and errors[0] == errors[1]
