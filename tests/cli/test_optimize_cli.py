"""The `optiagent optimize` command end to end: exit codes, skipped files, apply, history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SLOW_MODULE = '''
def common(xs: list[int], ys: list[int]) -> list[int]:
    """Items of xs that are also in ys, in order."""
    out = []
    for x in xs:
        if x in ys:
            out.append(x)
    return out
'''


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "optiagent.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "slow.py").write_text(SLOW_MODULE)
    return root


def test_missing_path_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    """A path that does not exist is bad input: exit 2 and say which path."""
    done = run_cli("optimize", str(tmp_path / "nope"))
    assert done.returncode == 2
    assert "does not exist" in done.stderr and "nope" in done.stderr


def test_unknown_option_exits_2() -> None:
    """Usage errors exit 2."""
    done = run_cli("optimize", ".", "--no-such-flag")
    assert done.returncode == 2


def test_bad_project_config_exits_2(project: Path) -> None:
    """A broken [tool.optiagent] table is reported with the file and exits 2."""
    (project / "pyproject.toml").write_text("[tool.optiagent]\nworkload = 3\nbogus = 1\n")
    done = run_cli("optimize", str(project))
    assert done.returncode == 2
    assert "pyproject.toml" in done.stderr and "bogus" in done.stderr


@pytest.mark.slow
def test_weird_files_are_skipped_and_the_run_goes_on(project: Path, tmp_path: Path) -> None:
    """Syntax error, binary, non-UTF-8, 5 MB file and a symlink loop are skipped with reasons."""
    (project / "broken.py").write_text("def f(:\n")
    (project / "binary.py").write_bytes(b"\x00\x01\x02def")
    (project / "latin.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    (project / "huge.py").write_text("x = 1\n" * 900_000)
    (project / "loop").symlink_to(project, target_is_directory=True)
    report_path = tmp_path / "report.json"
    done = run_cli("optimize", str(project), "--json", str(report_path))
    assert done.returncode == 0, done.stderr
    report = json.loads(report_path.read_text())
    reasons = {entry["file"]: entry["reason"] for entry in report["skipped_files"]}
    assert "syntax error" in reasons["broken.py"]
    assert "binary" in reasons["binary.py"]
    assert "UTF-8" in reasons["latin.py"]
    assert "larger than" in reasons["huge.py"]
    assert any("symlink" in reason for file, reason in reasons.items() if file.startswith("loop"))
    improved = [t for t in report["targets"] if t["status"] == "improved"]
    assert [t["qualname"] for t in improved] == ["common"]


@pytest.mark.slow
def test_dry_run_changes_nothing_and_apply_writes_and_records(project: Path, tmp_path: Path) -> None:
    """Dry run prints a diff and leaves the file; --apply writes it and history shows the edit."""
    report_path = tmp_path / "report.json"
    done = run_cli("optimize", str(project), "--json", str(report_path))
    assert done.returncode == 0, done.stderr
    assert (project / "slow.py").read_text() == SLOW_MODULE
    assert "+++ b/slow.py" in done.stdout
    report = json.loads(report_path.read_text())
    target = report["targets"][0]
    assert target["status"] == "improved" and target["ci"][0] >= 1.05 and target["rules"]
    assert report["summary"]["improved"] == 1 and report["sandbox"] == "local"
    applied = run_cli("optimize", str(project), "--apply")
    assert applied.returncode == 0, applied.stderr
    new_text = (project / "slow.py").read_text()
    assert new_text != SLOW_MODULE and "set(" in new_text
    compile(new_text, "slow.py", "exec")
    history = run_cli("history", str(project), "--json")
    edits = json.loads(history.stdout)
    assert any(e["qualname"] == "common" and e["applied"] for e in edits)
