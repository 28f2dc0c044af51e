"""Applying edits' unified diffs to the file they were made from, exactly (no fuzz): the job ran on
the same head SHA, so any mismatch means the edit is not for this text and it is not applied.

Several edits of one file are each a diff against the same original: their hunks are merged and
applied in one pass (an edit whose hunks overlap an earlier one's is left out).
"""

from __future__ import annotations

from collections.abc import Sequence

from optiagent.github_app.hunks import Hunk, parse_hunks


class PatchMismatch(ValueError):
    pass


def _span(hunk: Hunk) -> tuple[int, int]:
    """0-based [first, last) original lines the hunk consumes (an insertion consumes none)."""
    consumed = sum(1 for line in hunk.lines if line[0] != "+")
    first = hunk.old_start - 1 if consumed else hunk.old_start
    return first, first + consumed


def apply_hunks(text: str, hunks: Sequence[Hunk]) -> str:
    if "\r" in text:
        raise PatchMismatch("files with CR line endings are not patched")
    lines = text.splitlines()
    out: list[str] = []
    cursor = 0
    for hunk in sorted(hunks, key=_span):
        first, _ = _span(hunk)
        if first < cursor:
            raise PatchMismatch("overlapping hunks")
        out.extend(lines[cursor:first])
        cursor = first
        for line in hunk.lines:
            marker, content = line[0], line[1:]
            if marker == "+":
                out.append(content)
                continue
            if cursor >= len(lines) or lines[cursor] != content:
                raise PatchMismatch(f"line {cursor + 1} differs from the diff's")
            cursor += 1
            if marker == " ":
                out.append(content)
    out.extend(lines[cursor:])
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def apply_diff(text: str, diff: str) -> str:
    hunks = parse_hunks(diff)
    if not hunks:
        raise PatchMismatch("the diff has no hunks")
    return apply_hunks(text, hunks)


def apply_diffs(text: str, diffs: Sequence[str]) -> tuple[str, list[int]]:
    """The text with as many of `diffs` as apply together (in order); the indexes of those applied."""
    chosen: list[Hunk] = []
    applied: list[int] = []
    for index, diff in enumerate(diffs):
        hunks = parse_hunks(diff)
        if not hunks:
            continue
        try:
            apply_hunks(text, [*chosen, *hunks])
        except PatchMismatch:
            continue
        chosen.extend(hunks)
        applied.append(index)
    return (apply_hunks(text, chosen) if chosen else text), applied
