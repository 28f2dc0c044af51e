"""Splicing a new version of a function back into its module."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from optiagent.rewrite.locate import function_source
from optiagent.rewrite.splice import splice_function

SOURCE = '''\
"""Module."""


def first(x):
    # keep me
    return x + 1


class Box:
    def value(self):
        return 1

    def other(self):
        return 2
'''


def test_splicing_the_original_back_gives_identical_bytes() -> None:
    """Replacing a def by its own text leaves the module byte-for-byte unchanged."""
    for qualname in ("first", "Box.value", "Box.other"):
        original = function_source(SOURCE, qualname)
        assert original is not None
        assert splice_function(SOURCE, qualname, original) == SOURCE


def test_splice_reindents_an_unindented_method() -> None:
    """A method written at column 0 is indented to its class and everything else is untouched."""
    result = splice_function(SOURCE, "Box.value", "def value(self):\n    return 42\n")
    assert result == SOURCE.replace("        return 1\n", "        return 42\n")


def test_splice_rejects_missing_target_and_broken_code() -> None:
    """Unknown targets and replacements that do not parse give None."""
    assert splice_function(SOURCE, "missing", "def missing():\n    pass\n") is None
    assert splice_function(SOURCE, "first", "def first(:\n") is None


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=-1000, max_value=1000), st.sampled_from(["first", "Box.value", "Box.other"]))
def test_only_the_target_lines_change(constant: int, qualname: str) -> None:
    """Text before and after the spliced def is preserved exactly, whatever the new body."""
    name = qualname.split(".")[-1]
    new = f"def {name}(self):\n    return {constant}\n"
    result = splice_function(SOURCE, qualname, new)
    assert result is not None
    original = function_source(SOURCE, qualname)
    assert original is not None
    start = SOURCE.index(original)
    assert result.startswith(SOURCE[:start])
    assert result.endswith(SOURCE[start + len(original) :])
