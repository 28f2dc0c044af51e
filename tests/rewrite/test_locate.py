"""Locating functions and methods by qualified name."""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.locate import find_function, function_source

SOURCE = """\
import functools


def parse(text):
    return text.split()


class LogParser:
    class Inner:
        def m(self):
            return 1

    # a comment above the decorator
    @functools.cache
    def parse(self, line):  # trailing
        return line

if True:
    def conditional():
        pass
"""


def test_finds_module_function() -> None:
    """A plain name finds the top-level def."""
    function = find_function(cst.parse_module(SOURCE), "parse")
    assert function is not None and function.name.value == "parse"
    assert len(function.params.params) == 1


def test_finds_method_and_nested_class_method() -> None:
    """Dotted names walk through classes, including nested ones."""
    module = cst.parse_module(SOURCE)
    method = find_function(module, "LogParser.parse")
    assert method is not None and len(method.params.params) == 2
    assert find_function(module, "LogParser.Inner.m") is not None


def test_finds_def_inside_if_block() -> None:
    """Defs nested in module-level if blocks are still found."""
    assert find_function(cst.parse_module(SOURCE), "conditional") is not None


def test_missing_and_malformed_names_give_none() -> None:
    """Unknown names, <locals> paths and empty names give None instead of raising."""
    module = cst.parse_module(SOURCE)
    assert find_function(module, "nope") is None
    assert find_function(module, "LogParser.nope") is None
    assert find_function(module, "parse.<locals>.inner") is None
    assert find_function(module, "") is None


def test_function_source_is_exact_text_with_decorators() -> None:
    """The text covers decorators and the trailing comment, byte for byte, but not the comment above."""
    text = function_source(SOURCE, "LogParser.parse")
    assert text == "    @functools.cache\n    def parse(self, line):  # trailing\n        return line\n"
    assert text in SOURCE


def test_function_source_missing_or_unparsable_is_none() -> None:
    """Absent functions and source that does not parse give None."""
    assert function_source(SOURCE, "missing") is None
    assert function_source("def (:\n", "f") is None
