"""Write accepted edits to the user's files: atomically, and only if a file is unchanged since the run began.

What is written per file is its composition (`services/compose.py`): the file's accepted edits
composed and checked again as a whole. A symlinked file is written through to the file it points
to (inside the project), so the link stays a link.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from optiagent.domain.composition import ComposedFile, DroppedEdit
from optiagent.domain.report import Report, TargetReport, TargetStatus


@dataclass(frozen=True)
class ApplyOutcome:
    written: list[str]
    refused: list[tuple[str, str]]  # (file, reason)


class WriteRefusedError(Exception):
    """A file was not written, for the reason given (it changed since the run began, ...)."""


_Refused = WriteRefusedError


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomically(path: Path, text: str, expected_hash: str) -> None:
    """Replaces `path` (a regular file) by `text` via a temporary file in its directory; the hash is
    checked again just before the rename, so a concurrent edit is not overwritten."""
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".optiagent")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if _sha256(path.read_bytes()) != expected_hash:
            raise _Refused("the file changed since the run began; re-run optiagent to apply")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _real_file(path: Path, base: Path) -> Path:
    """The regular file to write: `path` itself, or what its symlink resolves to inside the project."""
    if not path.is_symlink():
        return path
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as error:
        raise _Refused(f"a symlink that does not resolve ({error})") from error
    if not real.is_relative_to(base.resolve()):
        raise _Refused(f"a symlink to {real}, outside the project; not written through")
    if not real.is_file():
        raise _Refused(f"a symlink to {real}, which is not a regular file")
    return real


def _uncomposed(file: str, targets: list[TargetReport]) -> ComposedFile:
    """For a report without compositions (built elsewhere): one edit is its own check; of several
    never checked together, only the fastest is written."""
    best = max(targets, key=lambda t: t.speedup or 0.0)
    source = best.new_source or ""
    dropped = [
        DroppedEdit(
            t.qualname, "several edits of this file were never checked together; applied only the fastest"
        )
        for t in targets
        if t is not best
    ]
    return ComposedFile(
        file=file,
        original_hash=best.original_hash or "",
        source=source,
        edits=[best.qualname],
        dropped=dropped,
        validated_on=[best.qualname],
        diff="",
    )


def _compositions(report: Report) -> list[tuple[ComposedFile, list[TargetReport]]]:
    by_file: dict[str, list[TargetReport]] = {}
    for target in report.targets:
        if target.status is TargetStatus.IMPROVED and target.new_source is not None:
            by_file.setdefault(target.file, []).append(target)
    result = []
    for file, targets in sorted(by_file.items()):
        composed = next((t.composition for t in targets if t.composition is not None), None)
        result.append((composed or _uncomposed(file, targets), targets))
    return result


def apply_report(report: Report, root: Path) -> ApplyOutcome:
    """Writes each file's composition once; refuses a file changed since the run began."""
    base = root.parent if root.is_file() else root
    written: list[str] = []
    refused: list[tuple[str, str]] = []
    real_paths: dict[Path, str] = {}
    for composed, targets in _compositions(report):
        file = composed.file
        if not composed.edits:  # every edit was left out: nothing to write
            refused.extend((file, f"{d.qualname}: {d.reason}") for d in composed.dropped)
            continue
        try:
            path = _real_file(base / file, base)
            resolved = path.resolve()
            if resolved in real_paths:
                raise _Refused(f"the same file as {real_paths[resolved]} (through a symlink), written once")
            if _sha256(path.read_bytes()) != composed.original_hash:
                raise _Refused("the file changed since the run began; re-run optiagent to apply")
            write_atomically(path, composed.source, composed.original_hash)
        except _Refused as reason:
            refused.append((file, str(reason)))
            continue
        real_paths[resolved] = file
        applied = set(composed.edits)
        for target in targets:
            target.applied = target.qualname in applied
        refused.extend((file, f"{d.qualname}: {d.reason}") for d in composed.dropped)
        written.append(file)
    return ApplyOutcome(written, refused)
