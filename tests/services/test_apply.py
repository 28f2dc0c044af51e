"""Applying accepted edits: atomic, hash-guarded, one composed text per file, symlinks kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

from optiagent.domain.composition import ComposedFile, DroppedEdit
from optiagent.domain.report import Report, TargetReport, TargetStatus
from optiagent.services.apply import apply_report

ORIGINAL = "def a():\n    return 1\n\n\ndef b():\n    return 2\n"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def improved(
    file: str, new_source: str, original: str, speedup: float = 2.0, qualname: str = "a"
) -> TargetReport:
    return TargetReport(
        file=file,
        qualname=qualname,
        status=TargetStatus.IMPROVED,
        speedup=speedup,
        new_source=new_source,
        original_hash=digest(original),
    )


def report_of(tmp_path: Path, *targets: TargetReport) -> Report:
    return Report("r", str(tmp_path), ["catalogue"], "local", list(targets))


def test_apply_refuses_a_file_changed_since_the_run_began(tmp_path: Path) -> None:
    """If the file's content hash differs from the run's start, nothing is written."""
    path = tmp_path / "m.py"
    path.write_text(ORIGINAL)
    report = report_of(tmp_path, improved("m.py", "x = 1\n", ORIGINAL))
    path.write_text(ORIGINAL + "# edited by a person meanwhile\n")
    outcome = apply_report(report, tmp_path)
    assert outcome.written == []
    assert outcome.refused and "changed since the run began" in outcome.refused[0][1]
    assert path.read_text().endswith("meanwhile\n")
    assert not report.targets[0].applied


def test_apply_writes_the_files_composition(tmp_path: Path) -> None:
    """Several edits of one file: the composed text is written, and each composed target is applied."""
    path = tmp_path / "m.py"
    path.write_text(ORIGINAL)
    first = improved("m.py", ORIGINAL.replace("return 1", "return 10"), ORIGINAL, qualname="a")
    second = improved("m.py", ORIGINAL.replace("return 2", "return 20"), ORIGINAL, qualname="b")
    composed_text = ORIGINAL.replace("return 1", "return 10").replace("return 2", "return 20")
    composition = ComposedFile("m.py", digest(ORIGINAL), composed_text, ["a", "b"], validated_on=["a", "b"])
    first.composition = second.composition = composition
    report = report_of(tmp_path, first, second)
    outcome = apply_report(report, tmp_path)
    assert outcome.written == ["m.py"] and outcome.refused == []
    assert path.read_text() == composed_text
    assert first.applied and second.applied
    assert not list(tmp_path.glob(".m.py.*"))  # no temporary file left behind
    assert report.to_json()["files"] == [composition.to_json()]


def test_a_dropped_edit_is_not_applied_and_the_reason_is_given(tmp_path: Path) -> None:
    """An edit left out of the composition stays unapplied and apply says why."""
    path = tmp_path / "m.py"
    path.write_text(ORIGINAL)
    fast = improved("m.py", ORIGINAL.replace("return 1", "return 200"), ORIGINAL, speedup=3.0)
    slow = improved("m.py", ORIGINAL.replace("return 1", "return 100"), ORIGINAL, speedup=1.5, qualname="b")
    why = "a faster edit of the same function a was kept"
    composition = ComposedFile(
        "m.py", digest(ORIGINAL), fast.new_source or "", ["a"], [DroppedEdit("b", why)], ["a"]
    )
    fast.composition = slow.composition = composition
    outcome = apply_report(report_of(tmp_path, slow, fast), tmp_path)
    assert "return 200" in path.read_text()
    assert fast.applied and not slow.applied
    assert outcome.refused == [("m.py", f"b: {why}")]


def test_edits_never_checked_together_write_only_the_fastest(tmp_path: Path) -> None:
    """Without a composition (a report built elsewhere), several edits are not merged blindly."""
    path = tmp_path / "m.py"
    path.write_text(ORIGINAL)
    slow = improved("m.py", ORIGINAL.replace("return 2", "return 20"), ORIGINAL, speedup=1.5, qualname="b")
    fast = improved("m.py", ORIGINAL.replace("return 1", "return 10"), ORIGINAL, speedup=3.0)
    outcome = apply_report(report_of(tmp_path, slow, fast), tmp_path)
    assert path.read_text() == ORIGINAL.replace("return 1", "return 10")
    assert fast.applied and not slow.applied
    assert outcome.refused and "never checked together" in outcome.refused[0][1]


def test_a_symlinked_file_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    """--apply of a symlinked source writes the file it points to; the link is not replaced."""
    real = tmp_path / "impl" / "m.py"
    real.parent.mkdir()
    real.write_text(ORIGINAL)
    real.chmod(0o640)
    link = tmp_path / "m.py"
    link.symlink_to(Path("impl") / "m.py")
    new = ORIGINAL.replace("return 1", "return 10")
    outcome = apply_report(report_of(tmp_path, improved("m.py", new, ORIGINAL)), tmp_path)
    assert outcome.written == ["m.py"], outcome.refused
    assert link.is_symlink() and real.read_text() == new and link.read_text() == new
    assert real.stat().st_mode & 0o777 == 0o640
    assert not list(real.parent.glob(".m.py.*")) and not list(tmp_path.glob(".m.py.*"))


def test_a_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    """A link to a file outside the project is not written through, and the link is left alone."""
    outside = tmp_path / "elsewhere.py"
    outside.write_text(ORIGINAL)
    project = tmp_path / "proj"
    project.mkdir()
    (project / "m.py").symlink_to(outside)
    outcome = apply_report(report_of(project, improved("m.py", "x = 1\n", ORIGINAL)), project)
    assert outcome.written == []
    assert "outside the project" in outcome.refused[0][1]
    assert (project / "m.py").is_symlink() and outside.read_text() == ORIGINAL


def test_a_file_and_a_link_to_it_are_written_once(tmp_path: Path) -> None:
    """Two report paths of one real file: the second is refused rather than written over the first."""
    (tmp_path / "m.py").write_text(ORIGINAL)
    (tmp_path / "alias.py").symlink_to("m.py")
    first = improved("alias.py", ORIGINAL.replace("return 1", "return 10"), ORIGINAL)
    second = improved("m.py", ORIGINAL.replace("return 2", "return 20"), ORIGINAL, qualname="b")
    outcome = apply_report(report_of(tmp_path, first, second), tmp_path)
    assert outcome.written == ["alias.py"]
    assert outcome.refused == [("m.py", "the same file as alias.py (through a symlink), written once")]
    assert (tmp_path / "alias.py").is_symlink()
    assert (tmp_path / "m.py").read_text() == ORIGINAL.replace("return 1", "return 10")
