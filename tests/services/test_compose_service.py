"""A file's accepted edits, composed and checked again as a whole in a real (local) sandbox."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.adapters.store.memory import InMemoryEditStore
from optiagent.domain.report import Report, TargetReport, TargetStatus
from optiagent.domain.targets import Target, TargetKind
from optiagent.services.apply import apply_report
from optiagent.services.benchmarking import BenchmarkSettings
from optiagent.services.compose import compose_project
from optiagent.services.requests import SilentProgress
from optiagent.services.target_run import Services, TargetJob
from optiagent.verify.jobs import CheckSettings, Evidence

pytestmark = pytest.mark.slow

ORIGINAL = '''\
def base(v):
    return v * 2


def f(x: int) -> int:
    """Sum of base over a small range."""
    total = 0
    for i in range(x % 50):
        total += base(i)
    return total


def g(xs: list[int]) -> int:
    """Twice the length, through base."""
    return len(base(xs))
'''

# Right for f's inputs (ints), but base is also called with a list by g: unhashable once cached.
MEMOIZED_BASE = "import functools\n\n\n" + ORIGINAL.replace("def base(v):", "@functools.cache\ndef base(v):")
G_EDIT = ORIGINAL.replace("return len(base(xs))", "return len(base(xs)) + 0")
F_EDIT = ORIGINAL.replace(
    "    total = 0\n    for i in range(x % 50):\n        total += base(i)\n    return total\n",
    "    return sum(base(i) for i in range(x % 50))\n",
)


def services() -> Services:
    return Services(
        sandbox=LocalSandbox(),
        store=InMemoryEditStore(),
        generators={},
        progress=SilentProgress(),
        check=CheckSettings(max_examples=30, stress=False),
        bench=BenchmarkSettings(),
        min_speedup=1.05,
        workers=2,
    )


def planned(root: Path, qualname: str, new_source: str, speedup: float) -> tuple[TargetJob, TargetReport]:
    digest = hashlib.sha256(ORIGINAL.encode()).hexdigest()
    job = TargetJob(
        run_id="run",
        repo=str(root),
        report_file="m.py",
        target=Target("m.py", qualname, TargetKind.FUNCTION),
        source=ORIGINAL,
        source_hash=digest,
        evidence=Evidence(root=str(root), base_dir=".", module_name="m"),
    )
    result = TargetReport(
        file="m.py",
        qualname=qualname,
        status=TargetStatus.IMPROVED,
        speedup=speedup,
        new_source=new_source,
        original_hash=digest,
    )
    return job, result


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "m.py").write_text(ORIGINAL)
    return tmp_path


def test_compatible_edits_are_composed_checked_and_applied_together(root: Path) -> None:
    """Two edits of two functions: one text with both, checked on both targets, written by apply."""
    (job_f, f), (job_g, g) = planned(root, "f", F_EDIT, 3.0), planned(root, "g", G_EDIT, 2.0)
    [composed] = compose_project(services(), [job_f, job_g], [g, f])
    assert composed.edits == ["f", "g"] and composed.dropped == []
    assert sorted(composed.validated_on) == ["f", "g"]
    assert "sum(base(i) for i in range(x % 50))" in composed.source and "+ 0" in composed.source
    assert f.composition is composed and g.composition is composed
    outcome = apply_report(Report("run", str(root), ["catalogue"], "local", [f, g]), root)
    assert outcome.written == ["m.py"] and (root / "m.py").read_text() == composed.source


def test_an_edit_that_breaks_another_target_is_left_out_and_the_reason_given(root: Path) -> None:
    """The fastest edit memoizes a helper g calls with a list: it changes a function besides its
    target that has no inputs of its own here (were it checked, g's check fails), so it is left
    out and the other edit is written."""
    (job_f, f), (job_g, g) = planned(root, "f", MEMOIZED_BASE, 3.0), planned(root, "g", G_EDIT, 2.0)
    [composed] = compose_project(services(), [job_f, job_g], [f, g])
    assert composed.edits == ["g"] and composed.source == G_EDIT
    [dropped] = composed.dropped
    assert dropped.qualname == "f" and "changes base" in dropped.reason, dropped.reason
    assert any(note.startswith("not applied: ") for note in f.notes) and not g.notes
    outcome = apply_report(Report("run", str(root), ["catalogue"], "local", [f, g]), root)
    assert (root / "m.py").read_text() == G_EDIT
    assert g.applied and not f.applied
    assert outcome.refused and outcome.refused[0][1].startswith("f: it also changes base")
