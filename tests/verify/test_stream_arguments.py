"""Functions fed by a generator (a lexer's tokens into a splitter, sqlparse's filter stages) are
checked on the items the workload's calls actually read: an equivalent rewrite is equivalent on
captured inputs, one that reads differently or yields differently is rejected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.targets import Target, TargetKind
from optiagent.domain.verdicts import Equivalent
from optiagent.verify.jobs import CheckSettings, check_job
from optiagent.verify.verdicts import CheckOutcome, read_checks

from .workload_capture import capture, target_and_evidence, write_project

STAGES = """
class Splitter:
    def __init__(self):
        self.level = 0

    def process(self, stream):
        current = []
        for kind, text in stream:
            if kind == "open":
                self.level += 1
            current.append(text)
            if kind == "end":
                yield " ".join(current)
                current = []


def count_words(stream):
    n = 0
    for kind, _ in stream:
        if kind == "word":
            n += 1
    return n


def first_word(stream):
    for kind, text in stream:
        if kind == "word":
            return text
    return None
"""

BENCH = """
from pkg.stages import Splitter, count_words, first_word

def lex(text):
    for word in text.split():
        yield ("end" if word == ";" else "open" if word == "(" else "word"), word

text = " ".join(["select a , b from t where ( x ) ;"] * 20)
for _ in range(5):
    print(len(list(Splitter().process(lex(text)))), count_words(lex(text)), first_word(lex("; ; a b")))
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object]]]:
    root = tmp_path_factory.mktemp("streams") / "project"
    write_project(root, {"pkg/__init__.py": "", "pkg/stages.py": STAGES, "bench.py": BENCH})
    yield root, capture(root, "bench.py")


def check(
    root: Path, index: dict[str, object], key: str, kind: TargetKind, candidates: list[str]
) -> list[CheckOutcome]:
    target, evidence = target_and_evidence(root, key, index)
    target = Target(file=target.file, qualname=target.qualname, kind=kind)
    settings = CheckSettings(max_examples=20, stress=False, self_check=True)
    sandbox = LocalSandbox()
    try:
        return read_checks(sandbox.run(check_job(target, evidence, candidates, settings)), len(candidates))
    finally:
        sandbox.close()


def test_a_function_reading_a_generator_is_checked_on_captured_streams(
    project: tuple[Path, dict[str, object]],
) -> None:
    root, index = project
    same = STAGES.replace(
        '    n = 0\n    for kind, _ in stream:\n        if kind == "word":\n            n += 1\n    return n',
        '    return sum(1 for kind, _ in stream if kind == "word")',
    )
    reads_all = STAGES.replace(
        "            return text\n    return None", "            return text\n    return None\n"
    )
    reads_all = reads_all.replace(
        "def first_word(stream):\n    for kind, text in stream:",
        "def first_word(stream):\n    stream = list(stream)\n    for kind, text in stream:",
    )
    [counted] = check(root, index, "pkg/stages.py::count_words", TargetKind.FUNCTION, [same])
    assert counted.self_check == "equivalent", counted
    assert isinstance(counted.verdict, Equivalent) and counted.verdict.checked.get("captured", 0) > 0, counted
    # the workload's first_word stopped reading at the first word: reading on is not the same behaviour
    [greedy] = check(root, index, "pkg/stages.py::first_word", TargetKind.FUNCTION, [reads_all])
    assert greedy.self_check == "equivalent", greedy
    assert not isinstance(greedy.verdict, Equivalent), greedy


def test_a_generator_method_fed_by_a_generator_is_checked(project: tuple[Path, dict[str, object]]) -> None:
    root, index = project
    same = STAGES.replace('yield " ".join(current)', 'yield " ".join(current[:])')
    wrong = STAGES.replace('if kind == "end":', 'if kind == "end" and self.level < 3:')
    outcomes = check(root, index, "pkg/stages.py::Splitter.process", TargetKind.METHOD, [same, wrong])
    assert outcomes[0].self_check == "equivalent", outcomes[0]
    assert isinstance(outcomes[0].verdict, Equivalent) and outcomes[0].verdict.checked.get("captured", 0) > 0
    assert not isinstance(outcomes[1].verdict, Equivalent), outcomes[1]
