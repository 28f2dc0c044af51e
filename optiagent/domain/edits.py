"""Diffs and the merge of several accepted edits to one file."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


def unified_diff(original: str, changed: str, path: str) -> str:
    lines = difflib.unified_diff(
        original.splitlines(keepends=True), changed.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def diff_size(original: str, changed: str) -> int:
    """Lines added or removed: the tie-breaker between near-equal candidates."""
    matcher = difflib.SequenceMatcher(a=original.splitlines(), b=changed.splitlines(), autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


Change = tuple[int, int, tuple[str, ...]]  # replace original lines [start, end) with these lines


def _changes(original: list[str], changed: list[str]) -> list[Change]:
    matcher = difflib.SequenceMatcher(a=original, b=changed, autojunk=False)
    return [
        (i1, i2, tuple(changed[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]


def _overlaps(first: Change, second: Change) -> bool:
    if first == second:
        return False
    (a1, a2, _), (b1, b2, _) = first, second
    if a1 == a2 == b1 == b2:  # two insertions at one place conflict unless identical
        return True
    return (a1 < b2 and b1 < a2) or (a1 == a2 and b1 <= a1 < b2) or (b1 == b2 and a1 <= b1 < a2)


def merge_edits(original: str, versions: Sequence[str]) -> str | None:
    """Combine edits that touch disjoint lines of `original`; None when two of them conflict."""
    lines = original.splitlines(keepends=True)
    accepted: list[Change] = []
    for version in versions:
        for change in _changes(lines, version.splitlines(keepends=True)):
            if any(_overlaps(change, other) for other in accepted):
                return None
            if change not in accepted:
                accepted.append(change)
    merged = list(lines)
    for start, end, replacement in sorted(accepted, key=lambda c: (c[0], c[1]), reverse=True):
        merged[start:end] = replacement
    return "".join(merged)
