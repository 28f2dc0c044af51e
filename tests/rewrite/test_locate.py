"""Locating functions and methods by qualified name."""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.locate import find_function, function_source, replace_function

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
    assert find_function(module, "parse.<locals>") is None
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


def test_finds_nested_functions_by_their_compiler_qualname() -> None:
    """`f.<locals>.g` walks into f's body (its if/try blocks too), also inside methods; splicing the
    found text back keeps every byte."""
    source = (
        "def strftime(values, fmt):\n"
        "    def repl(match):\n"
        "        return values[match.group(1)]\n"
        "    try:\n"
        "        def later():\n"
        "            def deepest():\n"
        "                return 1\n"
        "            return deepest\n"
        "    finally:\n"
        "        pass\n"
        "    return repl\n"
        "\n"
        "\n"
        "class Table:\n"
        "    def sorted_by(self, column):\n"
        "        def key(row):\n"
        "            return row[column]\n"
        "        return sorted(self.rows, key=key)\n"
    )
    module = cst.parse_module(source)
    for qualname, name in (
        ("strftime.<locals>.repl", "repl"),
        ("strftime.<locals>.later.<locals>.deepest", "deepest"),
        ("Table.sorted_by.<locals>.key", "key"),
    ):
        found = find_function(module, qualname)
        assert found is not None and found.name.value == name, qualname
    assert find_function(module, "strftime.repl") is None  # a function's locals need <locals>
    assert function_source(source, "Table.sorted_by.<locals>.key") == (
        "        def key(row):\n            return row[column]\n"
    )


REPLACE_SOURCE = """\
import sys


def f(x):
    def g(y):
        return y + 1

    return g(x)


class A:
    if sys.version_info >= (3,):

        def m(self):
            return 1

    class B:
        def m(self):
            return 2


def m():
    return 3
"""


def test_replace_function_changes_only_that_def_wherever_it_sits() -> None:
    """Methods in a class's `if` block, nested classes and nested functions: the same result as
    libcst's deep_replace, and a def of the same name elsewhere is left alone."""
    module = cst.parse_module(REPLACE_SOURCE)
    for qualname in ("A.m", "A.B.m", "m", "f.<locals>.g", "f"):
        old = find_function(module, qualname)
        assert old is not None, qualname
        new = old.with_changes(name=cst.Name("renamed"))
        fast = replace_function(module, qualname, old, new)
        assert fast.code == cst.ensure_type(module.deep_replace(old, new), cst.Module).code, qualname
        assert fast.code.count("def renamed") == 1, qualname
