"""Wrong candidates of the newer kinds of target are rejected on what a real workload captured:
dunder methods (a receiver built without running `__init__`, a generator `__iter__`, `__eq__` and
`__hash__` judged by the original's comparisons, never the candidate's) and nested functions (on
the closures their calls had) and functions of no arguments."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.verdicts import Equivalent

from ..verify.test_dunder_targets import FILES, INTERVAL
from ..verify.test_nested_targets import FILES as NESTED_FILES
from ..verify.test_nested_targets import FMT
from ..verify.test_zero_argument_targets import FILES as I18N_FILES
from ..verify.test_zero_argument_targets import I18N
from ..verify.workload_capture import capture, check_captured, write_project

# (target, wrong text -> replacement, what the workload shows that exposes it)
DUNDER_TRAPS = (
    ("__init__", ("low, high = high, low", "pass"), "an interval given high first is not swapped"),
    ("__init__", ("self.tags = list(tags)", "self.tags = tags"), "tags kept as the caller's list"),
    ("__eq__", ("(self.low, self.high) == (other.low, other.high)", "True"), "every interval equal"),
    ("__hash__", ("hash((self.low, self.high))", "hash((self.high, self.low))"), "another hash"),
    ("__contains__", ("self.low <= value <= self.high", "self.low <= value < self.high"), "open end"),
    ("__iter__", ("while value <= self.high:", "while value < self.high:"), "one item short"),
    ("__getitem__", ("index += len(self)", "index = -index"), "negative indices"),
    ("__len__", ("self.high - self.low + 1", "self.high - self.low"), "one short"),
    ("__repr__", ("Interval({self.low}, {self.high}", "Interval({self.high}, {self.low}"), "ends swapped"),
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object]]]:
    root = tmp_path_factory.mktemp("interval-traps") / "repo"
    write_project(root, FILES)
    yield root, capture(root, "bench.py")


@pytest.mark.parametrize(("name", "edit", "why"), DUNDER_TRAPS, ids=[f"{t[0]}-{t[2]}" for t in DUNDER_TRAPS])
def test_a_wrong_dunder_is_rejected(
    project: tuple[Path, dict[str, object]], name: str, edit: tuple[str, str], why: str
) -> None:
    """The wrong dunder, checked alone (beside others it could be judged their duplicate on the
    probe inputs, and never benchmarked), is not equivalent."""
    root, index = project
    assert edit[0] in INTERVAL
    wrong = INTERVAL.replace(edit[0], edit[1])
    box = LocalSandbox()
    try:
        [outcome] = check_captured(box, root, f"pkg/interval.py::Interval.{name}", index, [wrong])
    finally:
        box.close()
    assert not isinstance(outcome.verdict, Equivalent), (name, why, outcome.verdict)


# (nested target, wrong text -> replacement, what the workload shows that exposes it)
NESTED_TRAPS = (
    ("strftime.<locals>.repl", ('return "%02d" % values[key]', 'return "%2d" % values[key]'), "no zero pad"),
    ("strftime.<locals>.repl", ("used = used + [key]", "used = [key]"), "a nonlocal written differently"),
    ("depth.<locals>.walk", ("default=level + 1", "default=level"), "empty lists one level short"),
    ("Table.sorted_by.<locals>.key", ("(value is None, value)", "(value is not None, value)"), "Nones first"),
)


@pytest.fixture(scope="module")
def nested_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object]]]:
    root = tmp_path_factory.mktemp("nested-traps") / "repo"
    write_project(root, NESTED_FILES)
    yield root, capture(root, "bench.py")


@pytest.mark.parametrize(("qualname", "edit", "why"), NESTED_TRAPS, ids=[t[2] for t in NESTED_TRAPS])
def test_a_wrong_nested_body_is_rejected(
    nested_project: tuple[Path, dict[str, object]], qualname: str, edit: tuple[str, str], why: str
) -> None:
    """A wrong body of a nested function (its closure as the workload made it) is not equivalent."""
    root, index = nested_project
    assert edit[0] in FMT
    box = LocalSandbox()
    try:
        [outcome] = check_captured(
            box, root, f"pkg/fmt.py::{qualname}", index, [FMT.replace(edit[0], edit[1])]
        )
    finally:
        box.close()
    assert not isinstance(outcome.verdict, Equivalent), (qualname, why, outcome.verdict)


@pytest.fixture(scope="module")
def i18n_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object]]]:
    root = tmp_path_factory.mktemp("i18n-traps") / "repo"
    write_project(root, I18N_FILES)
    yield root, capture(root, "bench.py")


def test_a_wrong_function_of_no_arguments_is_rejected(i18n_project: tuple[Path, dict[str, object]]) -> None:
    """Title case for upper case, on the only call there is (no arguments): not equivalent."""
    root, index = i18n_project
    wrong = I18N.replace("word.upper()", "word.title()")
    box = LocalSandbox()
    try:
        [outcome] = check_captured(box, root, "pkg/i18n.py::banner", index, [wrong])
    finally:
        box.close()
    assert not isinstance(outcome.verdict, Equivalent), outcome.verdict
