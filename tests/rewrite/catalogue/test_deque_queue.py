"""OPT007: list used as a FIFO queue -> collections.deque."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

BFS = """\
def order(graph: dict[int, list[int]], start: int) -> list[int]:
    seen = {start}
    result = []
    queue = [start]
    while queue:
        node = queue.pop(0)
        result.append(node)
        for n in graph.get(node, []):
            if n not in seen:
                seen.add(n)
                queue.append(n)
    return result
"""


def test_queue_becomes_deque_with_popleft() -> None:
    """The list display is wrapped in a deque, pop(0) becomes popleft, collections is imported."""
    result = applied("OPT007", BFS, "order")
    assert result.startswith("import collections\n")
    assert "queue = collections.deque([start])" in result and "node = queue.popleft()" in result


def test_insert_front_becomes_appendleft() -> None:
    """insert(0, v) on the queue becomes appendleft(v)."""
    source = "def f(xs):\n    q = []\n    for x in xs:\n        q.insert(0, x)\n    return [q.pop(0) for _ in xs]\n"
    assert "q.appendleft(x)" in applied("OPT007", source, "f")


def test_slicing_returning_or_passing_the_queue_blocks_the_rewrite() -> None:
    """Deques cannot be sliced, and a returned or passed-on queue would change type for the caller."""
    sliced = "def f(xs):\n    q = list(xs)\n    q = [1]\n    q.pop(0)\n    return q[1:]\n"
    returned = "def f(xs):\n    q = [1, 2]\n    q.pop(0)\n    return q\n"
    passed = "def f(xs):\n    q = [1, 2]\n    q.pop(0)\n    g(q)\n"
    no_front_pop = "def f(xs):\n    q = [1, 2]\n    q.pop()\n    return len(q)\n"
    for source in (sliced, returned, passed, no_front_pop):
        assert apply("OPT007", source, "f") is None, source


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.dictionaries(st.integers(0, 15), st.lists(st.integers(0, 15), max_size=4)), st.integers(0, 15))
def test_traversal_order_is_unchanged(graph: dict[int, list[int]], start: int) -> None:
    """Breadth-first order with the deque equals the list-based one."""
    original, rewritten = pair("OPT007", BFS, "order")
    assert original(graph, start) == rewritten(graph, start)
