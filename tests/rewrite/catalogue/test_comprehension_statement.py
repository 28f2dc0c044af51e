"""OPT035: a list comprehension used as a statement -> the same loops; literal setattr -> a store."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
class Node:
    def __init__(self, children):
        self.children = children
        [setattr(child, 'parent', self) for child in self.children]


def visit(rows, seen):
    [seen.append((r, c)) for r in rows if r for c in r if c > 1]
    return seen


def build(values):
    nodes = [Node([]) for _ in values]
    root = Node(nodes)
    return [n.parent is root for n in nodes], visit(values, [])
"""


def test_statement_comprehensions_become_loops() -> None:
    """Clauses become nested for/if statements; a literal setattr becomes an attribute store."""
    result = applied("OPT035", SOURCE, "Node.__init__")
    assert "        for child in self.children:\n            child.parent = self\n" in result
    result = applied("OPT035", SOURCE, "visit")
    assert (
        "    for r in rows:\n        if r:\n            for c in r:\n                if c > 1:\n"
        "                    seen.append((r, c))\n"
    ) in result


def test_comprehensions_whose_loop_would_change_the_function_are_refused() -> None:
    """A loop variable used elsewhere, an assigned result, async for, or code outside a function."""
    refused = (
        "def f(xs, out):\n    [out.append(x) for x in xs]\n    x = 1\n    return x\n",
        "def f(xs, out):\n    ys = [out.append(x) for x in xs]\n    return ys\n",
        "async def f(xs, out):\n    [out.append(x) async for x in xs]\n",
        "out = []\n[out.append(x) for x in range(3)]\n",
    )
    for source in refused:
        assert apply("OPT035", source, "f" if "def f" in source else "<program>") is None, source


def test_setattr_that_is_not_a_plain_store_stays_a_call() -> None:
    """A private name (mangled as an attribute), a walrus in the value, or a rebound setattr."""
    private = applied("OPT035", "def f(xs):\n    [setattr(o, '__p', 1) for o in xs]\n", "f")
    assert "setattr(o, '__p', 1)" in private
    walrus = applied("OPT035", "def f(xs):\n    [setattr(o, 'a', (v := 2)) for o in xs]\n", "f")
    assert "setattr(o, 'a', (v := 2))" in walrus
    shadowed = "setattr = print\ndef f(xs):\n    [setattr(o, 'a', 1) for o in xs]\n"
    assert "setattr(o, 'a', 1)" in applied("OPT035", shadowed, "f")


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.lists(st.integers(0, 4), max_size=4), max_size=6))
def test_results_equal(values: list[list[int]]) -> None:
    """Parents are set and side effects happen in the same order."""
    original, rewritten = pair("OPT035", SOURCE, "build")
    assert original(values) == rewritten(values)
