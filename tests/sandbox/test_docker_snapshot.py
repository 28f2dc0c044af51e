"""Read-only snapshots of a project for Docker boxes: tool caches stay out, and a file that vanishes
while the tree is copied (mypy rewriting its cache, an editor's swap file) does not fail the job."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.docker_snapshot import readable_snapshot


def test_a_snapshot_holds_the_code_world_readable_without_tool_caches(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "mod.py").write_text("X = 1\n")
    (project / ".mypy_cache").mkdir()
    (project / ".mypy_cache" / "cache.db-wal").write_text("rewritten all the time")
    os.chmod(project / "pkg" / "mod.py", 0o600)
    snapshot = readable_snapshot(project, tmp_path / "snapshots")
    assert (snapshot / "pkg" / "mod.py").read_text() == "X = 1\n"
    assert stat.S_IMODE(os.stat(snapshot / "pkg" / "mod.py").st_mode) == 0o644
    assert not (snapshot / ".mypy_cache").exists()
    assert readable_snapshot(project, tmp_path / "snapshots") == snapshot  # unchanged content: reused


def test_a_file_deleted_during_the_copy_is_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "keep.py").write_text("A = 1\n")
    (project / "swap.tmp").write_text("gone soon")
    real_copy = shutil.copy2

    def copy_after_a_deletion(source: str, destination: str) -> object:
        if source.endswith("swap.tmp"):
            os.remove(source)  # deleted after copytree listed the directory
        return real_copy(source, destination)

    monkeypatch.setattr(shutil, "copy2", copy_after_a_deletion)
    snapshot = readable_snapshot(project, tmp_path / "snapshots")
    assert (snapshot / "keep.py").read_text() == "A = 1\n"
    assert not (snapshot / "swap.tmp").exists()


def test_other_copy_errors_still_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "a.py").write_text("A = 1\n")

    def failing_copy(source: str, destination: str) -> object:
        raise FileNotFoundError(destination)  # the source is still there: a real failure

    monkeypatch.setattr(shutil, "copy2", failing_copy)
    with pytest.raises(shutil.Error, match=r"a\.py"):
        readable_snapshot(project, tmp_path / "snapshots")
    assert list((tmp_path / "snapshots").iterdir()) == []  # no half-made snapshot left behind
