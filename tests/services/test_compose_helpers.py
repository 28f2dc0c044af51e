"""A catalogue edit may rewrite the helpers its target calls (rewrite/catalogue/regions.py: the
target and its direct helpers). Checked only through the target's calls, such a change never met
the helper's other callers' inputs: a trap for wrong edits. Composition checks every changed
helper on its own captured calls, and leaves out an edit whose helper has none."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.adapters.store.memory import InMemoryEditStore
from optiagent.domain.report import TargetReport, TargetStatus
from optiagent.domain.targets import Target, TargetKind
from optiagent.services.benchmarking import BenchmarkSettings
from optiagent.services.compose import compose_project
from optiagent.services.requests import SilentProgress
from optiagent.services.target_run import Services, TargetJob
from optiagent.verify.jobs import CheckSettings, Evidence
from tests.verify.workload_capture import capture, write_project

ORIGINAL = """\
def base(v):
    return v * 2


def scaled(v):
    return v * 3


def f(x):
    total = 0
    for i in range(x % 50):
        total += base(i) + scaled(i)
    return total


def g(xs):
    return len(base(xs))
"""

BENCH = """
from m import f, g
for n in range(30):
    f(n)
    g(list(range(n)))
"""

# Right for f's calls of base (ints); g calls base with a list: unhashable once cached.
MEMOIZED_BASE = "import functools\n\n\n" + ORIGINAL.replace("def base(v):", "@functools.cache\ndef base(v):")
# Right for every caller of base.
FASTER_BASE = ORIGINAL.replace("    return v * 2\n", "    return v + v\n")
# Changes scaled, which the run has no inputs of its own for.
FASTER_SCALED = ORIGINAL.replace("    return v * 3\n", "    return v + v + v\n")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("helpers") / "project"
    write_project(root, {"m.py": ORIGINAL, "bench.py": BENCH})
    return root, capture(root, "bench.py")


def job(root: Path, index: dict[str, Any], qualname: str) -> TargetJob:
    entry = index[f"m.py::{qualname}"]
    return TargetJob(
        run_id="run",
        repo=str(root),
        report_file="m.py",
        target=Target("m.py", qualname, TargetKind.FUNCTION),
        source=ORIGINAL,
        source_hash=hashlib.sha256(ORIGINAL.encode()).hexdigest(),
        evidence=Evidence(
            root=str(root), base_dir=".", module_name="m", captures={"calls-0.pkl": entry["data"]}
        ),
    )


def improved(qualname: str, source: str) -> TargetReport:
    return TargetReport(
        file="m.py",
        qualname=qualname,
        status=TargetStatus.IMPROVED,
        speedup=2.0,
        new_source=source,
        original_hash=hashlib.sha256(ORIGINAL.encode()).hexdigest(),
    )


def services() -> Services:
    return Services(
        sandbox=LocalSandbox(),
        store=InMemoryEditStore(),
        generators={},
        progress=SilentProgress(),
        check=CheckSettings(max_examples=20, stress=False),
        bench=BenchmarkSettings(),
        min_speedup=1.05,
        workers=2,
    )


def test_a_helper_change_wrong_for_another_caller_is_not_applied(
    project: tuple[Path, dict[str, Any]],
) -> None:
    """f alone improved, by memoizing base: base's own captured calls (lists, from g) reject it.
    Before, a single edit was written unchecked, and g raised TypeError after --apply."""
    root, index = project
    jobs = [job(root, index, name) for name in ("f", "g", "base")]
    f = improved("f", MEMOIZED_BASE)
    [composed] = compose_project(services(), jobs, [f])
    assert composed.edits == [] and composed.source == ORIGINAL
    [dropped] = composed.dropped
    assert dropped.qualname == "f" and "the check of base" in dropped.reason, dropped.reason


def test_a_helper_change_right_for_every_caller_is_applied(project: tuple[Path, dict[str, Any]]) -> None:
    root, index = project
    jobs = [job(root, index, name) for name in ("f", "g", "base")]
    [composed] = compose_project(services(), jobs, [improved("f", FASTER_BASE)])
    assert composed.edits == ["f"] and composed.source == FASTER_BASE
    assert sorted(composed.validated_on) == ["base", "f"]


def test_a_helper_without_inputs_of_its_own_leaves_the_edit_out(project: tuple[Path, dict[str, Any]]) -> None:
    """scaled ran only under f: it is no target of the run, so nothing checks it on its own."""
    root, index = project
    jobs = [job(root, index, name) for name in ("f", "g", "base")]
    [composed] = compose_project(services(), jobs, [improved("f", FASTER_SCALED)])
    assert composed.edits == [] and "changes scaled" in composed.dropped[0].reason
