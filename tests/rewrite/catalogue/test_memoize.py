"""OPT001: functools.cache on pure recursive functions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

FIB = '''\
"""Numbers."""
from __future__ import annotations


def fib(n: int) -> int:
    """Naive Fibonacci."""
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
'''

GRID = """\
def paths(grid: list[int], i: int = 0) -> int:
    if i >= len(grid) - 1:
        return 1
    total = paths(grid, i + 1)
    if grid[i] and i + 2 < len(grid):
        total += paths(grid, i + 2)
    return total
"""

MUTUAL = """\
def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)
"""


def test_decorates_recursive_function_and_imports_functools_after_future() -> None:
    """The def gets @functools.cache and the import lands after the docstring and __future__."""
    result = applied("OPT001", FIB, "fib")
    assert "@functools.cache\ndef fib(n: int) -> int:" in result
    assert result.startswith('"""Numbers."""\nfrom __future__ import annotations\nimport functools\n')


def test_mutual_recursion_caches_both_functions() -> None:
    """Recursion through another module function counts; both functions of the cycle are cached."""
    result = applied("OPT001", MUTUAL, "is_even")
    assert result.count("@functools.cache") == 2


def test_list_argument_gets_cached_helper_on_tuples() -> None:
    """An argument annotated as a list is converted to a tuple for an inner cached helper."""
    result = applied("OPT001", GRID, "paths")
    assert "def _paths_cached(grid, i):" in result
    assert "return _paths_cached(tuple(grid), i)" in result
    assert "grid = list(grid)" in result


GRID_PATHS = """\
def paths(grid: list[list[int]], r: int = 0, c: int = 0) -> int:
    if grid[r][c]:
        return 0
    if r == len(grid) - 1 and c == len(grid[0]) - 1:
        return 1
    down = paths(grid, r + 1, c) if r + 1 < len(grid) else 0
    right = paths(grid, r, c + 1) if c + 1 < len(grid[0]) else 0
    return down + right
"""


def test_list_of_lists_argument_is_keyed_by_tuple_of_tuples() -> None:
    """Rows of a grid argument become tuples too, and lists again inside the helper."""
    result = applied("OPT001", GRID_PATHS, "paths")
    assert "return _paths_cached(tuple(map(tuple, grid)), r, c)" in result
    assert "grid = [list(row) for row in grid]" in result


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.lists(st.integers(0, 1), min_size=3, max_size=3), min_size=1, max_size=4))
def test_cached_grid_helper_equals_original(grid: list[list[int]]) -> None:
    """The tuple-of-tuples key gives the same path counts as the uncached search."""
    original, rewritten = pair("OPT001", GRID_PATHS, "paths")
    assert original(grid) == rewritten(grid)


def test_not_recursive_means_no_candidate() -> None:
    """A function that does not recurse is not cached."""
    assert apply("OPT001", "def f(n):\n    return n + 1\n", "f") is None


def test_side_effects_block_caching() -> None:
    """print, argument mutation, global statements and random calls all block caching."""
    sources = [
        "def f(n):\n    print(n)\n    return n if n < 2 else f(n - 1)\n",
        "def f(xs, n):\n    xs.append(n)\n    return n if n < 2 else f(xs, n - 1)\n",
        "T = 0\ndef f(n):\n    global T\n    T += 1\n    return n if n < 2 else f(n - 1)\n",
        "import random\ndef f(n):\n    return random.random() if n < 2 else f(n - 1)\n",
        "def f(obj, n):\n    obj.count = n\n    return n if n < 2 else f(obj, n - 1)\n",
    ]
    for source in sources:
        assert apply("OPT001", source, "f") is None, source


def test_reading_a_reassigned_or_mutable_global_blocks_caching() -> None:
    """A global that is rebound later, or holds a mutable value, may change between calls."""
    rebound = "LIMIT = 3\ndef f(n):\n    return LIMIT if n < 2 else f(n - 1)\nLIMIT = 4\n"
    mutable = "TABLE = {0: 1}\ndef f(n):\n    return TABLE.get(n, 0) if n < 2 else f(n - 1)\n"
    assert apply("OPT001", rebound, "f") is None
    assert apply("OPT001", mutable, "f") is None


def test_reading_a_constant_global_is_fine() -> None:
    """A module constant bound once to an immutable value does not block caching."""
    source = "BASE = 2\ndef f(n):\n    return BASE if n < 2 else f(n - 1) + f(n - 2)\n"
    assert "@functools.cache" in applied("OPT001", source, "f")


def test_methods_decorated_functions_and_impure_callees_are_skipped() -> None:
    """Methods, already-decorated defs and recursion through an impure helper get no candidate."""
    method = "class A:\n    def f(self, n):\n        return n if n < 2 else self.f(n - 1)\n"
    decorated = "import functools\n@functools.lru_cache\ndef f(n):\n    return n if n < 2 else f(n - 1)\n"
    impure_callee = (
        "def f(n):\n    return n if n < 2 else g(n - 1)\n\ndef g(n):\n    print(n)\n    return f(n)\n"
    )
    assert apply("OPT001", method, "A.f") is None
    assert apply("OPT001", decorated, "f") is None
    assert apply("OPT001", impure_callee, "f") is None


def test_existing_name_functools_blocks_the_rewrite() -> None:
    """If `functools` means something else in the module, no import is added and no candidate made."""
    source = "functools = None\ndef f(n):\n    return n if n < 2 else f(n - 1)\n"
    assert apply("OPT001", source, "f") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.integers(min_value=0, max_value=20))
def test_cached_fib_equals_original(n: int) -> None:
    """The cached Fibonacci returns the same numbers as the naive one."""
    original, rewritten = pair("OPT001", FIB, "fib")
    assert original(n) == rewritten(n)


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.booleans(), max_size=12))
def test_cached_list_helper_equals_original(grid: list[bool]) -> None:
    """The tuple-keyed helper gives the original results and leaves the caller's list intact."""
    original, rewritten = pair("OPT001", GRID, "paths")
    before = list(grid)
    assert original(grid) == rewritten(grid)
    assert grid == before


TREE = """\
def size(node):
    return 1 + sum(size(child) for child in node.children)
"""


def test_a_parameter_used_like_an_object_is_never_a_cache_key() -> None:
    """`node.children`: the node is hashed by identity and may change between calls (a stale
    result the check cannot see, since caches are cleared before every checked call)."""
    assert apply("OPT001", TREE, "size") is None


BOX_SUM = """\
def total(xs, i=0):
    return 0 if i >= len(xs) else xs[i] + total(xs, i + 1)
"""


class _Box:
    """A sequence hashed by identity whose contents change: a stale cache entry would show."""

    def __init__(self, items: list[int]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> int:
        return self.items[index]


def test_unannotated_arguments_are_cached_only_when_they_are_values() -> None:
    """Unproven arguments go through a run-time guard: a list (unhashable) and a changing object
    get the original's results; ints still come from the cache."""
    result = applied("OPT001", BOX_SUM, "total")
    assert "@functools.cache" in result and "_memo_value(" in result
    original, rewritten = pair("OPT001", BOX_SUM, "total")
    assert rewritten([1, 2, 3]) == original([1, 2, 3]) == 6  # unhashable: not cached, no TypeError
    box = _Box([1, 2])
    assert rewritten(box) == 3
    box.items.append(10)
    assert rewritten(box) == original(box) == 13  # not a stale 3
    assert rewritten((1, 2)) == 3


REPR_DEPTH = """\
def describe(n, depth=0):
    return repr(n) if depth else describe(n, depth + 1)
"""


def test_equal_values_of_different_types_are_not_conflated_when_unproven() -> None:
    """`True == 1` and `0.0 == -0.0`: such arguments bypass the cache, so each keeps its result."""
    original, rewritten = pair("OPT001", REPR_DEPTH, "describe")
    for value in (1, True, 1.0, 0.0, -0.0, (1,), (True,)):
        assert rewritten(value) == original(value), value


SEQUENCE_ARG = """\
from typing import Sequence


def pick(xs: Sequence[int], i: int = 0) -> object:
    if i >= len(xs) - 1:
        return xs + xs[:0]
    return pick(xs, i + 1)
"""


def test_a_sequence_annotation_keeps_the_callers_type() -> None:
    """`Sequence` admits tuples: only an exact list becomes a tuple key and a list again."""
    original, rewritten = pair("OPT001", SEQUENCE_ARG, "pick")
    for value in ([1, 2], (1, 2), "ab"):
        assert rewritten(value) == original(value) and type(rewritten(value)) is type(original(value))


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.integers(min_value=0, max_value=12))
def test_guarded_mutual_recursion_equals_original(n: int) -> None:
    """Unannotated mutual recursion through the guard gives the original's answers."""
    original, rewritten = pair("OPT001", MUTUAL, "is_even")
    assert original(n) == rewritten(n)
