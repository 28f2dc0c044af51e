"""A method whose receiver holds the very objects passed as its other arguments (a formatter whose
`self._statement` contains the token list it is asked to indent, found again by identity) is
checked on one copy of the whole call: the original agrees with itself, and a wrong candidate is
still rejected (sqlparse `ReindentFilter._process_identifierlist`, issue 11)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.verdicts import Equivalent, Mismatch

from .workload_capture import capture, check_captured, write_project

FORMATTER = '''
class Token:
    def __init__(self, value):
        self.value = value
        self.parent = None


class TokenList(Token):
    def __init__(self, tokens):
        super().__init__("".join(t.value for t in tokens))
        self.tokens = list(tokens)
        for token in self.tokens:
            token.parent = self

    def flatten(self):
        for token in self.tokens:
            if isinstance(token, TokenList):
                yield from token.flatten()
            else:
                yield token


class Formatter:
    def __init__(self):
        self._statement = None
        self.lines = 0

    def process(self, statement):
        self._statement = statement
        for child in statement.tokens:
            if isinstance(child, TokenList):
                self._indent(child)
        return "".join(t.value for t in statement.flatten())

    def _offset(self, token):
        """Characters before `token` in the statement: found by identity, as sqlparse does."""
        count = 0
        for t in self._statement.flatten():
            if t is token:
                return count
            count += len(t.value)
        return count

    def _indent(self, tlist):
        first = next(tlist.flatten())
        width = self._offset(first)
        for token in tlist.tokens[1:]:
            if token.value == ",":
                token.value = ",\\n" + " " * width
                self.lines += 1
        return width
'''

BENCH = """
from pkg.fmt import Formatter, Token, TokenList

formatter = Formatter()
for n in range(6):
    names = []
    for i in range(n + 2):
        names += [Token(f"col{i}"), Token(",")]
    statement = TokenList([Token("select "), TokenList(names[:-1]), Token(" from t")])
    print(formatter.process(statement))
"""

FILES = {"pkg/__init__.py": "", "pkg/fmt.py": FORMATTER, "bench.py": BENCH}
KEY = "pkg/fmt.py::Formatter._indent"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object]]]:
    root = tmp_path_factory.mktemp("formatter") / "repo"
    write_project(root, FILES)
    yield root, capture(root, "bench.py")


def test_a_receiver_sharing_objects_with_its_arguments_agrees_with_itself(
    project: tuple[Path, dict[str, object]],
) -> None:
    """The self-check passes on every captured call; an offset counted one short is rejected."""
    root, index = project
    wrong = FORMATTER.replace("count += len(t.value)", "count += len(t.value.strip())")
    box = LocalSandbox()
    try:
        itself, other = check_captured(box, root, KEY, index, [FORMATTER, wrong], self_check=True)
    finally:
        box.close()
    assert itself.self_check == "equivalent", itself.self_check
    assert isinstance(itself.verdict, Equivalent), itself.verdict
    assert itself.verdict.checked["captured"] == 6
    assert isinstance(other.verdict, Mismatch), other.verdict
