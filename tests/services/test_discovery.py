"""Tests for discovering files (with every skip reason) and ranking targets statically."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from optiagent.domain.errors import InputError
from optiagent.services.discovery import discover, rank_static

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "discovery" / "quadratic"


def make_messy_tree(root: Path) -> None:
    (root / "pkg").mkdir()
    (root / "pkg" / "good.py").write_text("def ok(x: int) -> int:\n    return x\n")
    (root / "top.py").write_text("def also_ok(y: str) -> str:\n    return y\n")
    (root / "broken.py").write_text("x = 1\n\ndef broken(:\n    pass\n")
    (root / "binary.py").write_bytes(b"x = 1\n\x00\x01\x02")
    (root / "latin.py").write_bytes("name = 'caf\u00e9'\n".encode("latin-1"))
    (root / "huge.py").write_text("x = 1\n" * (5 * 1024 * 1024 // 6 + 1))
    os.symlink("..", root / "pkg" / "loop")
    for ignored in (".git", ".venv", "node_modules", "__pycache__", "build", ".hidden"):
        (root / ignored).mkdir()
        (root / ignored / "ignored.py").write_text("def nope(): pass\n")


def test_every_skip_reason_is_reported_and_good_files_are_still_found(tmp_path: Path) -> None:
    """Syntax errors, binary, non-UTF-8, oversize files and symlink loops are skipped with reasons."""
    make_messy_tree(tmp_path)
    found = discover(tmp_path)
    assert [f.path for f in found.files] == ["pkg/good.py", "top.py"]
    reasons = {s.file: s.reason for s in found.skipped}
    assert reasons["broken.py"].startswith("syntax error at line 3")
    assert reasons["binary.py"].startswith("binary")
    assert reasons["latin.py"].startswith("not UTF-8")
    assert reasons["huge.py"].startswith("larger than 1000000 bytes")
    assert reasons["pkg/loop"] == "symlink loop"
    assert set(reasons) == {"broken.py", "binary.py", "latin.py", "huge.py", "pkg/loop"}
    assert found.base == tmp_path.resolve()


def test_unreadable_file_is_skipped(tmp_path: Path) -> None:
    """A file that cannot be read (here: a dangling symlink) is skipped, not raised."""
    (tmp_path / "fine.py").write_text("a = 1\n")
    os.symlink(tmp_path / "missing.py", tmp_path / "dangling.py")
    found = discover(tmp_path)
    assert [f.path for f in found.files] == ["fine.py"]
    assert found.skipped[0].file == "dangling.py"
    assert found.skipped[0].reason.startswith("unreadable")


def test_symlinked_directory_inside_root_is_followed_once(tmp_path: Path) -> None:
    """A symlink to a sibling directory does not duplicate files; one outside the root is not followed."""
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "m.py").write_text("def f(x: int) -> int:\n    return x\n")
    os.symlink(tmp_path / "real", tmp_path / "alias")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "secret.py").write_text("s = 1\n")
    (tmp_path / "sub").mkdir()
    os.symlink(outside, tmp_path / "sub" / "out")
    found = discover(tmp_path)
    assert [f.path for f in found.files] == ["real/m.py"]
    reasons = {s.file: s.reason for s in found.skipped}
    assert reasons == {
        "alias": "symlink to a directory already scanned",
        "sub/out": "symlink outside the root",
    }


def test_single_file_root_uses_its_parent_as_base(tmp_path: Path) -> None:
    """A file root yields one file named by its file name, relative to its parent directory."""
    script = tmp_path / "script.py"
    script.write_text("def go(n: int) -> int:\n    return n\n")
    found = discover(script)
    assert found.base == tmp_path.resolve()
    assert [(f.path, [i.qualname for i in f.functions]) for f in found.files] == [("script.py", ["go"])]
    assert len(found.files[0].sha256) == 64


def test_missing_root_raises_input_error(tmp_path: Path) -> None:
    """A root that does not exist is bad input, with a message naming it."""
    with pytest.raises(InputError, match="does not exist"):
        discover(tmp_path / "nowhere")


def test_include_and_exclude_patterns_filter_paths(tmp_path: Path) -> None:
    """Include globs keep only matching files; exclude globs (files or directories) drop them."""
    for name in ("a/x.py", "a/y.py", "b/z.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("v = 1\n")
    assert [f.path for f in discover(tmp_path, include=["a"]).files] == ["a/x.py", "a/y.py"]
    assert [f.path for f in discover(tmp_path, exclude=["a/y.py", "b/"]).files] == ["a/x.py"]
    assert [f.path for f in discover(tmp_path, include=["*/z.py"]).files] == ["b/z.py"]


def test_rank_static_puts_the_quadratic_function_first() -> None:
    """Static ranking orders by cost and keeps only functions whose inputs can be produced."""
    targets = rank_static(discover(FIXTURE))
    keys = [t.key for t in targets]
    assert keys[0] == "pkg/dedupe.py::count_duplicates"
    assert set(keys) == {
        "pkg/dedupe.py::count_duplicates",
        "pkg/dedupe.py::total",
        "pkg/dedupe.py::norm",
        "pkg/dedupe.py::Shape.unit",
    }
    assert targets[0].score > targets[1].score
    assert targets[0].start_line == 12


def test_rank_static_without_input_requirement_keeps_opaque_functions_but_not_tests() -> None:
    """Without the input requirement, opaque parameters are kept; tests, main and bench are not targets."""
    keys = {t.key for t in rank_static(discover(FIXTURE), require_inputs=False)}
    assert "pkg/dedupe.py::opaque" in keys
    assert "pkg/dedupe.py::Shape.area" in keys
    assert not any(key.startswith("tests/") or key.endswith("::main") for key in keys)
