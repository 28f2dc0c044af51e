"""Functions nested in another (a callback handed to `re.sub` with a `nonlocal` counter, a recursive
walker, a sort key in a method) are captured under a workload with their closures and checked like
any function: each agrees with itself; a candidate that changes more than the nested body is
refused (issue 11). Wrong bodies are rejected in tests/traps/test_target_kinds.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.verdicts import Crashed, Equivalent

from .workload_capture import capture, check_captured, write_project

FMT = '''
import re

_PATTERN = re.compile(r"%([dHMS%])")


def strftime(values, format):
    """isodate's pattern: a callback nested in the formatting function, given to re.sub."""
    used = []

    def repl(match):
        nonlocal used
        key = match.group(1)
        used = used + [key]
        if key == "%":
            return "%"
        return "%02d" % values[key]

    return _PATTERN.sub(repl, format), used


def depth(tree):
    def walk(node, level=0):
        if not isinstance(node, list):
            return level
        return max([walk(child, level + 1) for child in node], default=level + 1)

    return walk(tree)


class Table:
    def __init__(self, rows):
        self.rows = rows

    def sorted_by(self, column, reverse=False):
        def key(row):
            value = row[column]
            return (value is None, value)

        return sorted(self.rows, key=key, reverse=reverse)
'''

BENCH = """
from pkg.fmt import Table, depth, strftime

for i in range(6):
    print(strftime({"d": i, "H": i * 3, "M": 59 - i, "S": i * 7 % 60}, "%d %H:%M:%S %% day %d"))
    print(depth([[1, [2, [3] * i]], [4]]))
    table = Table([{"a": j % 3 or None, "b": -j} for j in range(i + 2)])
    print(table.sorted_by("a"), table.sorted_by("b", reverse=True))
"""

FILES = {"pkg/__init__.py": "", "pkg/fmt.py": FMT, "bench.py": BENCH}
NESTED = ("strftime.<locals>.repl", "depth.<locals>.walk", "Table.sorted_by.<locals>.key")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object]]]:
    root = tmp_path_factory.mktemp("nested") / "repo"
    write_project(root, FILES)
    yield root, capture(root, "bench.py")


def test_nested_functions_are_captured_with_their_closures(project: tuple[Path, dict[str, object]]) -> None:
    """Each nested function has captured calls; its closure is the first parameter."""
    _, index = project
    for qualname in NESTED:
        entry = index[f"pkg/fmt.py::{qualname}"]
        assert isinstance(entry, dict) and entry["captured"] > 0, (qualname, entry)
        assert entry["shapes"][0]["name"] == "_optiagent_closure"


@pytest.mark.parametrize("qualname", NESTED)
def test_each_nested_function_agrees_with_itself(
    project: tuple[Path, dict[str, object]], qualname: str
) -> None:
    """The original, checked as a candidate of itself on the captured calls, is equivalent."""
    root, index = project
    box = LocalSandbox()
    try:
        [outcome] = check_captured(box, root, f"pkg/fmt.py::{qualname}", index, [FMT], self_check=True)
    finally:
        box.close()
    assert outcome.self_check == "equivalent", (qualname, outcome.self_check)
    assert isinstance(outcome.verdict, Equivalent) and outcome.verdict.checked["captured"] > 0


def test_a_candidate_changing_the_enclosing_function_is_refused(
    project: tuple[Path, dict[str, object]],
) -> None:
    """The closure was captured from the original enclosing function: a candidate that changes
    it (here what `used` starts as) cannot be judged on it, and is refused saying why."""
    root, index = project
    changed = FMT.replace("    used = []\n", "    used = [None]\n")
    box = LocalSandbox()
    try:
        [outcome] = check_captured(box, root, "pkg/fmt.py::strftime.<locals>.repl", index, [changed])
    finally:
        box.close()
    assert isinstance(outcome.verdict, Crashed), outcome.verdict
    assert "may change only its body" in outcome.verdict.detail
