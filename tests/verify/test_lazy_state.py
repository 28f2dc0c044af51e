"""Receivers that fill a lazy cache when shown (pyparsing elements cache their default name on
first `str()`/`repr()`) are never shown by the harness before candidates run: input keys, seed
sizes and probe sizes come from pickles, so the inputs the original's outcomes were recorded on
stay pristine and the original agrees with itself (pyparsing `ParserElement._parseNoCache`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.verdicts import Equivalent, Mismatch

from .workload_capture import capture, check_captured, write_project

ELEMENTS = """
class Element:
    def __new__(cls, pattern=""):
        if cls is Element and len(pattern) == 1:
            return super().__new__(Char)  # as pyparsing's Literal picks a subclass
        return super().__new__(cls)

    def __init__(self, pattern=""):
        self.pattern = pattern
        self._name = None

    def __getnewargs__(self):
        return (self.pattern,)

    def __repr__(self):
        if self._name is None:
            self._name = f"{type(self).__name__}({self.pattern!r})"
        return self._name

    def count(self, text: str) -> int:
        return text.count(self.pattern)


class Char(Element):
    pass


DEFAULT = Element("ab")
SEPARATORS = [Element(","), Element(";")]
"""

BENCH = """
from pkg.elements import Element

for pattern in ("ab", "b", "abc"):
    element = Element(pattern)
    print(element.count("abcab" * 3))
"""

FILES = {"pkg/__init__.py": "", "pkg/elements.py": ELEMENTS, "bench.py": BENCH}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object]]]:
    root = tmp_path_factory.mktemp("elements") / "repo"
    write_project(root, FILES)
    yield root, capture(root, "bench.py")


def test_a_receiver_with_a_lazy_repr_cache_agrees_with_itself(
    project: tuple[Path, dict[str, object]],
) -> None:
    """Generated texts with captured receivers: the self-check passes; a wrong count is rejected."""
    root, index = project
    wrong = ELEMENTS.replace("return text.count(self.pattern)", "return text.count(self.pattern[:2])")
    box = LocalSandbox()
    try:
        itself, other = check_captured(
            box,
            root,
            "pkg/elements.py::Element.count",
            index,
            [ELEMENTS, wrong],
            max_examples=60,
            self_check=True,
        )
    finally:
        box.close()
    assert itself.self_check == "equivalent", itself.self_check
    assert isinstance(itself.verdict, Equivalent) and itself.verdict.checked["hypothesis"] > 0
    assert isinstance(other.verdict, Mismatch), other.verdict
