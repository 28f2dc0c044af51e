"""Receivers and results without value equality (a parser whose state points back at it, objects
with __slots__, ElementTree elements) are compared structurally, so a deterministic method is
never called nondeterministic; a call that truly cannot be captured says why (issue 11, case 7)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.verdicts import Equivalent, Mismatch

from .workload_capture import capture, check_captured, write_project

PARSER = '''
import threading
import xml.etree.ElementTree as etree


class Position:
    __slots__ = ("line", "column")

    def __init__(self, line, column):
        self.line = line
        self.column = column


class State:
    """Parser state: points back at its parser (a cycle), equality is identity."""

    def __init__(self, parser):
        self.parser = parser
        self.stack = []
        self.position = Position(0, 0)


class ListParser:
    def __init__(self):
        self.state = State(self)
        self.tags = {"-": "li", "*": "li"}

    def parse_block(self, lines):
        root = etree.Element("ul")
        for number, line in enumerate(lines):
            marker, _, text = line.partition(" ")
            item = etree.SubElement(root, self.tags.get(marker, "p"))
            item.text = text
            self.state.stack.append(item)
            self.state.position = Position(number, len(line))
        return root


class LockedCounter:
    def __init__(self):
        self.lock = threading.Lock()
        self.count = 0

    def add(self, values):
        with self.lock:
            self.count += sum(values)
        return self.count
'''

BENCH = """
from pkg.parser import ListParser, LockedCounter

parser = ListParser()
counter = LockedCounter()
for i in range(8):
    lines = [f"- item {j}" if j % 3 else f"* star {j}" for j in range(i + 3)]
    print(len(parser.parse_block(lines)), counter.add(list(range(i))))
"""

FILES = {"pkg/__init__.py": "", "pkg/parser.py": PARSER, "bench.py": BENCH}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object]]]:
    root = tmp_path_factory.mktemp("parser") / "repo"
    write_project(root, FILES)
    yield root, capture(root, "bench.py")


def test_parser_with_cyclic_state_is_equivalent_to_itself(project: tuple[Path, dict[str, object]]) -> None:
    """The original is deterministic and equivalent to itself; upper-cased item texts are rejected."""
    root, index = project
    wrong = PARSER.replace("item.text = text", "item.text = text.upper()")
    box = LocalSandbox()
    try:
        itself, other = check_captured(
            box, root, "pkg/parser.py::ListParser.parse_block", index, [PARSER, wrong]
        )
    finally:
        box.close()
    assert isinstance(itself.verdict, Equivalent), itself.verdict
    assert itself.verdict.checked["captured"] == 8
    assert isinstance(other.verdict, Mismatch), other.verdict


def test_a_call_that_cannot_be_captured_says_why(project: tuple[Path, dict[str, object]]) -> None:
    """A receiver holding a lock cannot be captured: the capture and the check both name the reason."""
    root, index = project
    entry = index["pkg/parser.py::LockedCounter.add"]
    assert isinstance(entry, dict)
    # three calls that cannot be kept, then sampling stops (capture/recorder.py GIVE_UP_AFTER)
    assert (entry["calls"], entry["captured"], entry["skipped"]) == (8, 0, 3)
    assert "cannot pickle '_thread.lock' object" in entry["problem"]
    box = LocalSandbox()
    try:
        [outcome] = check_captured(box, root, "pkg/parser.py::LockedCounter.add", index, [PARSER])
    finally:
        box.close()
    assert outcome.no_inputs
    assert "could not be captured: TypeError: cannot pickle '_thread.lock' object" in outcome.note
