"""OPT032: calls of one-expression helpers -> the helper's expression, arguments put in."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
import bisect

MASK = (1 << 32) - 1


def _encode(start, end):
    return (start << 32) | end


def _decode(r):
    \"\"\"(start, end) of a packed range.\"\"\"
    return (r >> 32), (r & MASK)


def _square(x): return x * x


def contains(point, ranges):
    pos = bisect.bisect_left(ranges, _encode(point, 0))
    if pos > 0:
        left, right = _decode(ranges[pos - 1])
        if left <= point < right:
            return True
    if pos < len(ranges):
        left, _ = _decode(ranges[pos])
        return left == point and _square(-1) == 1
    return False
"""


def test_helpers_are_replaced_by_their_expressions() -> None:
    """Names and literals go in place; an argument read twice is bound with := at its first read."""
    result = applied("OPT032", SOURCE, "contains")
    assert "bisect.bisect_left(ranges, ((point << 32) | (0)))" in result
    assert "left, right = (((_r := ranges[pos - 1]) >> 32), (_r & MASK))" in result
    assert "left, _ = (((_r_2 := ranges[pos]) >> 32), (_r_2 & MASK))" in result
    assert "_square(-1)" not in result and "((-1) * (-1))" in result
    assert "def _decode(r):" in result  # the helper itself stays for other callers


def test_helpers_that_are_not_pure_expressions_are_kept() -> None:
    """Calls, decorators, defaults, rebinding or several statements make a helper no candidate."""
    kept = (
        "import time\ndef _now():\n    return time.time()\ndef f():\n    return _now()\n",
        "def _log(x):\n    return print(x)\ndef f(x):\n    return _log(x)\n",
        "import functools\n@functools.cache\ndef _h(x):\n    return x + 1\ndef f(x):\n    return _h(x)\n",
        "def _h(x, y=1):\n    return x + y\ndef f(x):\n    return _h(x, 2)\n",
        "def _h(x):\n    y = x + 1\n    return y\ndef f(x):\n    return _h(x)\n",
        "def _h(x):\n    return x + 1\n_h = abs\ndef f(x):\n    return _h(x)\n",
        "def _h(x):\n    return [i for i in x]\ndef f(x):\n    return _h(x)\n",
    )
    for source in kept:
        assert apply("OPT032", source, "f") is None, source


def test_arguments_that_could_reorder_skip_or_repeat_work_are_refused() -> None:
    """A call argument, an argument in an and/or, a shadowed global or := in a comprehension: no inline."""
    helper = "LIMIT = 3\ndef _h(x):\n    return x * x + LIMIT\ndef _either(a, b):\n    return a or b\n"
    assert apply("OPT032", helper + "def f(g):\n    return _h(g())\n", "f") is None
    assert apply("OPT032", helper + "def f(x, ys):\n    return _either(x, ys[0])\n", "f") is None
    assert apply("OPT032", helper + "def f(x, LIMIT):\n    return _h(x)\n", "f") is None
    assert apply("OPT032", helper + "def f(xs):\n    return [_h(xs[i]) for i in range(2)]\n", "f") is None
    assert apply("OPT032", helper + "def f(x):\n    return _h(*x)\n", "f") is None
    assert apply("OPT032", helper + "def _h2(x):\n    return _h(x)\n", "<program>") is None
    nested = helper + "def f(LIMIT):\n    def inner(x):\n        return _h(x)\n    return inner\n"
    assert apply("OPT032", nested, "f.<locals>.inner") is None  # LIMIT is the enclosing function's


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(
    st.integers(0, 5000),
    st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 60)), max_size=8),
)
def test_results_equal(point: int, spans: list[tuple[int, int]]) -> None:
    """Packed-range lookups give the same answer with the helpers inlined."""
    original, rewritten = pair("OPT032", SOURCE, "contains")
    ranges = tuple(sorted({(start << 32) | (start + length) for start, length in spans}))
    assert original(point, ranges) == rewritten(point, ranges)
