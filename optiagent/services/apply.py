"""Write accepted edits to the user's files: atomically, and only if a file is unchanged since the run began."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from optiagent.domain.edits import merge_edits
from optiagent.domain.report import Report, TargetReport, TargetStatus


@dataclass(frozen=True)
class ApplyOutcome:
    written: list[str]
    refused: list[tuple[str, str]]  # (file, reason)


def _write_atomically(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".optiagent")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def apply_report(report: Report, root: Path) -> ApplyOutcome:
    """Group improvements by file, merge those touching disjoint lines, write each file once."""
    base = root.parent if root.is_file() else root
    by_file: dict[str, list[TargetReport]] = defaultdict(list)
    for target in report.targets:
        if target.status is TargetStatus.IMPROVED and target.new_source is not None:
            by_file[target.file].append(target)
    written: list[str] = []
    refused: list[tuple[str, str]] = []
    for file, targets in sorted(by_file.items()):
        path = base / file
        current = path.read_bytes()
        if hashlib.sha256(current).hexdigest() != targets[0].original_hash:
            refused.append((file, "the file changed since the run began; re-run optiagent to apply"))
            continue
        original = current.decode("utf-8")
        merged = merge_edits(original, [t.new_source for t in targets if t.new_source is not None])
        if merged is None:  # overlapping edits: keep the best one alone
            best = max(targets, key=lambda t: t.speedup or 0.0)
            merged, targets = best.new_source or original, [best]
            refused.append((file, "edits overlap; applied only the fastest"))
        _write_atomically(path, merged)
        for target in targets:
            target.applied = True
        written.append(file)
    return ApplyOutcome(written, refused)
