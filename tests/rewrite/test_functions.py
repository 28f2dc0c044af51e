"""Tests for listing functions, their parameters, static cost and doctest examples."""

from __future__ import annotations

import libcst as cst
import pytest

from optiagent.domain.targets import TargetKind
from optiagent.rewrite.functions import (
    FunctionInfo,
    ParamInfo,
    annotation_is_generatable,
    docstring_examples,
    list_functions,
    outline_module,
)

SOURCE = '''
import functools


def top(a: int, /, b: list[int] = [], *args: str, c: int | None = None, **kw: object) -> int:
    """Adds.

    >>> top(1)
    1
    >>> top(2, [1])
    3
    """
    def nested():
        return 1
    return a + sum(b)


class Outer:
    @functools.lru_cache(maxsize=None)
    @staticmethod
    def helper(x):
        return x

    class Inner:
        def m(self):
            yield self

    async def run(self):
        return 1


def factory():
    class Hidden:
        def invisible(self):
            pass
    return Hidden
'''


def by_name(source: str) -> dict[str, object]:
    return {info.qualname: info for info in list_functions(source)}


def test_qualnames_cover_functions_methods_nested_classes_and_nested_functions() -> None:
    """Addressable functions are listed with the compiler's qualnames (`top.<locals>.nested`), in
    source order; a method of a class defined inside a function is not (its class exists only
    while the function runs)."""
    names = [info.qualname for info in list_functions(SOURCE)]
    assert names == ["top", "top.<locals>.nested", "Outer.helper", "Outer.Inner.m", "Outer.run", "factory"]


def test_nested_functions_are_functions_and_ambiguous_ones_are_left_out() -> None:
    """A function nested in a method is a plain function (no receiver); a nested name defined
    twice in one enclosing function is not listed (nothing tells the two apart at run time)."""
    source = (
        "class C:\n"
        "    def m(self, flag):\n"
        "        def key(x):\n"
        "            return -x\n"
        "        if flag:\n"
        "            def pick(x):\n"
        "                return x\n"
        "        else:\n"
        "            def pick(x):\n"
        "                return -x\n"
        "        return key, pick\n"
    )
    infos = by_name(source)
    assert set(infos) == {"C.m", "C.m.<locals>.key"}
    key = infos["C.m.<locals>.key"]
    assert isinstance(key, FunctionInfo) and key.kind is TargetKind.FUNCTION
    assert (key.start_line, key.def_line, [p.name for p in key.params]) == (3, 3, ["x"])


def test_kinds_lines_and_flags() -> None:
    """Kinds, decorator-inclusive start lines, def lines and async/generator flags are reported."""
    infos = {info.qualname: info for info in list_functions(SOURCE)}
    helper = infos["Outer.helper"]
    assert helper.kind is TargetKind.METHOD
    assert helper.decorators == ("functools.lru_cache(maxsize=None)", "staticmethod")
    assert (helper.start_line, helper.def_line, helper.end_line) == (19, 21, 22)
    assert infos["top"].kind is TargetKind.FUNCTION
    assert infos["Outer.Inner.m"].is_generator and not infos["Outer.Inner.m"].is_async
    assert infos["Outer.run"].is_async and not infos["Outer.run"].is_generator
    assert not infos["top"].is_generator  # the nested function does not make it a generator


def test_params_keep_annotations_defaults_and_kinds() -> None:
    """Every parameter kind is reported with its annotation and default source text."""
    top = next(info for info in list_functions(SOURCE) if info.qualname == "top")
    assert top.params == (
        ParamInfo("a", "int", None, "positional"),
        ParamInfo("b", "list[int]", "[]", "positional"),
        ParamInfo("args", "str", None, "var_positional"),
        ParamInfo("c", "int | None", "None", "keyword_only"),
        ParamInfo("kw", "object", None, "var_keyword"),
    )
    assert top.returns == "int"
    assert top.has_docstring_examples


def test_docstring_examples_are_expression_and_expected_output_pairs() -> None:
    """Doctest examples come back as (source, expected output)."""
    assert docstring_examples(SOURCE, "top") == [("top(1)", "1"), ("top(2, [1])", "3")]
    assert docstring_examples(SOURCE, "factory") == []
    with pytest.raises(KeyError):
        docstring_examples(SOURCE, "nope")


COSTS = """
def flat(xs):
    return xs[0]

def single(xs):
    t = 0
    for x in xs:
        t += x
    return t

def nested(xs):
    c = 0
    for a in xs:
        for b in xs:
            c += a * b
    return c

def comprehension_pairs(xs):
    return [a + b for a in xs for b in xs]

def scan_in_loop(xs, ys):
    out = []
    for x in xs:
        if x in ys:
            out.append(x)
    return out

def queue(xs):
    while xs:
        xs.pop(0)

def build(xs):
    s = ""
    for x in xs:
        s += x
    return s

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def fact(n):
    return 1 if n < 2 else n * fact(n - 1)
"""


def test_static_cost_orders_by_loop_nesting_and_hidden_scans() -> None:
    """Nested loops cost more than one loop, which costs more than none; hidden scans in loops add a level."""
    cost = {info.qualname: info.static_cost for info in list_functions(COSTS)}
    assert cost["nested"] > cost["single"] > cost["flat"]
    assert cost["comprehension_pairs"] > cost["single"]
    assert cost["scan_in_loop"] > cost["single"]
    assert cost["queue"] > cost["single"]
    assert cost["build"] > cost["single"]
    assert cost["fib"] > cost["nested"]  # tree recursion is exponential
    assert cost["fact"] > cost["flat"]


def test_redefinition_keeps_the_last_definition() -> None:
    """A name defined twice is listed once, at its last definition (what runtime binds)."""
    infos = list_functions("def f(): return 1\n\ndef f(): return 2\n")
    assert [(i.qualname, i.start_line) for i in infos] == [("f", 3)]


def test_syntax_error_raises_libcst_error() -> None:
    """Unparsable source raises libcst's ParserSyntaxError (discovery turns it into a skip)."""
    with pytest.raises(cst.ParserSyntaxError):
        list_functions("def broken(:\n")


def test_value_classes_are_dataclasses_named_tuples_and_enums() -> None:
    """Dataclasses, NamedTuples and Enums count as value classes; plain classes do not."""
    source = (
        "from dataclasses import dataclass\nimport enum, typing\n"
        "@dataclass(frozen=True)\nclass P:\n    x: int\n"
        "class N(typing.NamedTuple):\n    a: int\n"
        "class Color(enum.Enum):\n    RED = 1\n"
        "class Plain:\n    pass\n"
    )
    assert outline_module(source).value_classes == frozenset({"P", "N", "Color"})


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("int", True),
        ("dict[str, list[tuple[int, ...]]]", True),
        ("typing.Optional[int]", True),
        ("int | None", True),
        ("'int'", True),
        ("Optional['Point']", True),
        ("Literal['a', 1]", True),
        ("Any", False),
        ("Callable[[int], int]", False),
        ("Unknown", False),
        ("not valid (", False),
    ],
)
def test_annotation_is_generatable(annotation: str, expected: bool) -> None:
    """Builtin, container, union, literal and value-class annotations are generatable; others are not."""
    assert annotation_is_generatable(annotation, frozenset({"Point"})) is expected
