"""Applying accepted edits: atomic, hash-guarded, merged per file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from optiagent.domain.report import Report, TargetReport, TargetStatus
from optiagent.services.apply import apply_report

ORIGINAL = "def a():\n    return 1\n\n\ndef b():\n    return 2\n"


def improved(file: str, new_source: str, original: str, speedup: float = 2.0) -> TargetReport:
    return TargetReport(
        file=file,
        qualname="a",
        status=TargetStatus.IMPROVED,
        speedup=speedup,
        new_source=new_source,
        original_hash=hashlib.sha256(original.encode()).hexdigest(),
    )


def test_apply_refuses_a_file_changed_since_the_run_began(tmp_path: Path) -> None:
    """If the file's content hash differs from the run's start, nothing is written."""
    path = tmp_path / "m.py"
    path.write_text(ORIGINAL)
    report = Report("r", str(tmp_path), ["catalogue"], "local", [improved("m.py", "x = 1\n", ORIGINAL)])
    path.write_text(ORIGINAL + "# edited by a person meanwhile\n")
    outcome = apply_report(report, tmp_path)
    assert outcome.written == []
    assert outcome.refused and "changed since the run began" in outcome.refused[0][1]
    assert path.read_text().endswith("meanwhile\n")
    assert not report.targets[0].applied


def test_apply_merges_disjoint_edits_to_one_file(tmp_path: Path) -> None:
    """Two improvements in one file touching different functions are both written."""
    path = tmp_path / "m.py"
    path.write_text(ORIGINAL)
    first = ORIGINAL.replace("return 1", "return 10")
    second = ORIGINAL.replace("return 2", "return 20")
    report = Report(
        "r",
        str(tmp_path),
        ["catalogue"],
        "local",
        [improved("m.py", first, ORIGINAL), improved("m.py", second, ORIGINAL)],
    )
    outcome = apply_report(report, tmp_path)
    assert outcome.written == ["m.py"]
    assert path.read_text() == ORIGINAL.replace("return 1", "return 10").replace("return 2", "return 20")
    assert all(t.applied for t in report.targets)
    assert not list(tmp_path.glob(".m.py.*"))  # no temporary file left behind


def test_overlapping_edits_keep_only_the_fastest(tmp_path: Path) -> None:
    """Edits to the same lines conflict: only the fastest one is applied, and that is reported."""
    path = tmp_path / "m.py"
    path.write_text(ORIGINAL)
    slow = improved("m.py", ORIGINAL.replace("return 1", "return 100"), ORIGINAL, speedup=1.5)
    fast = improved("m.py", ORIGINAL.replace("return 1", "return 200"), ORIGINAL, speedup=3.0)
    report = Report("r", str(tmp_path), ["catalogue"], "local", [slow, fast])
    outcome = apply_report(report, tmp_path)
    assert "return 200" in path.read_text()
    assert fast.applied and not slow.applied
    assert outcome.refused and "overlap" in outcome.refused[0][1]
