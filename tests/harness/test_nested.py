"""Nested functions in the check: rebuilt from the enclosing function's code around a captured
closure (nonlocal writes compared, recursion through the module's own version, cells shared as
captured), found through decorators, and a candidate may change only the nested body."""

from __future__ import annotations

import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.harness.compare import deep_equal
from optiagent.harness.loading import load_candidate, resolve
from optiagent.harness.nested import EMPTY, Cell, Closure, NestedClosureError, NestedRef, edit_problem
from optiagent.harness.outcome import run_call

SOURCE = textwrap.dedent(
    """
    import functools


    def counting(text, n=2):
        count = 0

        def repl(piece, times=n):
            nonlocal count
            count += 1
            return piece * times

        return "".join(repl(c) for c in text), count


    def fact():
        def f(k):
            return 1 if k <= 1 else k * f(k - 1)

        return f(5)


    def logged(function):
        def wrapper(*args):
            return function(*args)

        return wrapper


    class Table:
        @logged
        def sorted_by(self, rows, column):
            def key(row):
                return row[column]

            return sorted(rows, key=key)
    """
)


@pytest.fixture
def module(tmp_path: Path) -> Iterator[types.ModuleType]:
    (tmp_path / "nested_mod.py").write_text(SOURCE)
    sys.path.insert(0, str(tmp_path))
    try:
        import nested_mod  # type: ignore[import-not-found]

        yield nested_mod
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("nested_mod", None)


def repl_closure(count: int = 0) -> Closure:
    return Closure("counting.<locals>.repl", ("count",), [Cell(count)], (3,), None)


def test_a_call_runs_on_its_closure_and_nonlocal_writes_are_written_back(module: types.ModuleType) -> None:
    """The defaults are the captured ones; `count` after the call is in the closure (args_after)."""
    repl = resolve(module, "counting.<locals>.repl")
    outcome = run_call(repl, (repl_closure(4), "ab"), {})
    assert outcome.result == "ababab"
    closure_after = outcome.args_after[0][0]
    assert closure_after.cells[0].value == 5
    other = run_call(repl, (repl_closure(4), "ab"), {})
    assert deep_equal(outcome.args_after, other.args_after)


def test_recursion_goes_through_the_modules_own_version(module: types.ModuleType) -> None:
    """A free variable naming the function itself is rebuilt from the same module: a candidate's
    recursive calls run the candidate."""
    closure = Closure("fact.<locals>.f", ("f",), [Cell()], None, None)
    closure.cells[0].value = NestedRef("fact.<locals>.f", closure)
    assert run_call(resolve(module, "fact.<locals>.f"), (closure, 6), {}).result == 720
    twin = load_candidate(module, SOURCE.replace("k * f(k - 1)", "k + f(k - 1)"))
    assert run_call(resolve(twin, "fact.<locals>.f"), (closure, 6), {}).result == 21


def test_a_nested_function_of_a_decorated_method_is_found(module: types.ModuleType) -> None:
    """The enclosing method's code is found behind a decorator that keeps it in a closure cell."""
    key = resolve(module, "Table.sorted_by.<locals>.key")
    closure = Closure("Table.sorted_by.<locals>.key", ("column",), [Cell("a")], None, None)
    assert key(closure, {"a": 7}) == 7


def test_a_closure_without_a_free_variable_the_code_needs_is_refused(module: types.ModuleType) -> None:
    """A captured closure missing a variable (an empty one is fine) raises a clear error."""
    repl = resolve(module, "counting.<locals>.repl")
    with pytest.raises(NestedClosureError, match="uses count"):
        repl(Closure("counting.<locals>.repl", (), [], (3,), None), "a")
    with pytest.raises(NameError):  # an empty cell: the function's own error, as at run time
        repl(Closure("counting.<locals>.repl", ("count",), [Cell(EMPTY)], (3,), None), "a")


def test_a_candidate_may_change_only_the_nested_body() -> None:
    """The body may change; the signature, a decorator or the enclosing function may not."""
    qualname = "counting.<locals>.repl"
    assert edit_problem(SOURCE, SOURCE.replace("piece * times", "times * piece"), qualname) is None
    assert edit_problem(SOURCE, SOURCE.replace("\n\n\ndef fact", "\n\n\ndef fact2"), qualname) is None
    for changed in (
        SOURCE.replace("def repl(piece, times=n):", "def repl(piece, times=n + 1):"),
        SOURCE.replace("    count = 0\n", "    count = 1\n"),
        SOURCE.replace("    def repl(", "    @functools.cache\n    def repl("),
        SOURCE.replace("def repl(", "def other("),
    ):
        assert changed != SOURCE
        assert edit_problem(SOURCE, changed, qualname) is not None
