"""Unified diffs of edits, and their size."""

from __future__ import annotations

import difflib


def unified_diff(original: str, changed: str, path: str) -> str:
    lines = difflib.unified_diff(
        original.splitlines(keepends=True), changed.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def diff_size(original: str, changed: str) -> int:
    """Lines added or removed: the tie-breaker between near-equal candidates."""
    matcher = difflib.SequenceMatcher(a=original.splitlines(), b=changed.splitlines(), autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")
