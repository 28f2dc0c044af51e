"""Normalizing sources to deduplicate candidates."""

from __future__ import annotations

from optiagent.rewrite.normalize import normalize_source


def test_comments_blank_lines_and_layout_do_not_matter() -> None:
    """Sources that differ only in comments, blank lines, docstrings and spacing normalize equal."""
    one = 'def f(x):\n    """Doc."""\n    # comment\n\n    return (x+1)  # trailing\n'
    two = "def f( x ):\n    return x + 1\n"
    assert normalize_source(one) == normalize_source(two)


def test_different_code_normalizes_differently() -> None:
    """A real code change survives normalization."""
    assert normalize_source("x = 1\n") != normalize_source("x = 2\n")


def test_unparsable_text_does_not_raise() -> None:
    """Broken code comes back as text instead of an exception."""
    assert isinstance(normalize_source("def (:\n"), str)
