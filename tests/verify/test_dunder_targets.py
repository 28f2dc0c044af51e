"""Dunder methods written in a class body (`__init__`, `__eq__`, `__hash__`, `__contains__`, a
generator `__iter__`, `__getitem__`, `__len__`, `__str__`, `__repr__`, `__add__` also called as
its alias `__radd__`) are captured under a
workload and checked like any method: `__init__` on a receiver pickled before it ran (its
attributes are compared after the call), a generator by the items it yields; every one agrees
with itself (issue 11). Wrong candidates are rejected in tests/traps/test_target_kinds.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.verdicts import Equivalent

from .workload_capture import capture, check_captured, write_project

INTERVAL = '''
from dataclasses import dataclass


class Interval:
    def __init__(self, low, high, *, tags=()):
        if low > high:
            low, high = high, low
        self.low = low
        self.high = high
        self.tags = list(tags)

    def __eq__(self, other):
        if not isinstance(other, Interval):
            return NotImplemented
        return (self.low, self.high) == (other.low, other.high)

    def __hash__(self):
        return hash((self.low, self.high))

    def __contains__(self, value):
        return self.low <= value <= self.high

    def __iter__(self):
        value = self.low
        while value <= self.high:
            yield value
            value += 1

    def __getitem__(self, index):
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.low + index

    def __len__(self):
        return self.high - self.low + 1

    def __add__(self, offset):
        return Interval(self.low + offset, self.high + offset, tags=self.tags)

    __radd__ = __add__

    def __str__(self):
        return f"[{self.low}, {self.high}]"

    def __repr__(self):
        return f"Interval({self.low}, {self.high}, tags={self.tags!r})"


@dataclass
class Point:
    """Its __init__, __eq__ and __repr__ are generated: not in the source, never captured."""

    x: int
    y: int
'''

BENCH = """
from pkg.interval import Interval, Point

spans = [Interval(i % 7, (i * 5) % 11, tags=["t%d" % i]) for i in range(12)]
print(len(set(spans)), spans[3] == spans[4], spans[0] == Interval(0, 0), Point(1, 2) == Point(1, 2))
for span in spans:
    print(str(span), repr(span), len(span), list(span), [v in span for v in (0, 3, 10)], span[0], span[-1])
    print(repr(2 + span))  # through the alias __radd__ = __add__
    try:
        span[len(span)]
    except IndexError:
        print("out of range")
"""

FILES = {"pkg/__init__.py": "", "pkg/interval.py": INTERVAL, "bench.py": BENCH}
DUNDERS = (
    "__init__", "__eq__", "__hash__", "__contains__", "__iter__", "__getitem__", "__len__",
    "__str__", "__repr__", "__add__",
)  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object]]]:
    root = tmp_path_factory.mktemp("interval") / "repo"
    write_project(root, FILES)
    yield root, capture(root, "bench.py")


def test_dunders_written_in_the_source_are_captured(project: tuple[Path, dict[str, object]]) -> None:
    """Every dunder of the class body has captured calls; a dataclass's generated ones have none."""
    _, index = project
    for name in DUNDERS:
        entry = index[f"pkg/interval.py::Interval.{name}"]
        assert isinstance(entry, dict) and entry["captured"] > 0, (name, entry)
    assert not [key for key in index if "Point" in key]
    alias = index["pkg/interval.py::Interval.__add__"]
    assert isinstance(alias, dict) and alias["calls"] == 12  # each made through __radd__


@pytest.mark.parametrize("name", DUNDERS)
def test_each_dunder_agrees_with_itself(project: tuple[Path, dict[str, object]], name: str) -> None:
    """The original, checked as a candidate of itself on the captured calls, is equivalent."""
    root, index = project
    box = LocalSandbox()
    try:
        [outcome] = check_captured(
            box, root, f"pkg/interval.py::Interval.{name}", index, [INTERVAL], self_check=True
        )
    finally:
        box.close()
    assert outcome.self_check == "equivalent", (name, outcome.self_check)
    assert isinstance(outcome.verdict, Equivalent), (name, outcome.verdict)
    assert outcome.verdict.checked["captured"] > 0
