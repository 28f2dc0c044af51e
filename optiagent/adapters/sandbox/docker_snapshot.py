"""Read-only views of host directories for a box user that may not read the originals.

When the service runs as root, boxes run as the unprivileged `sandbox` user, which cannot read a
root-owned project (pytest's and mkdtemp's directories are 0700). Such a path is copied once per
content fingerprint into a world-readable snapshot, and the snapshot is mounted at the original
path, so jobs see the same absolute paths. When the service is not root, boxes run with its uid
and mount the originals directly.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from pathlib import Path

# Never needed to run code; tool caches are also rewritten while we copy (mypy's sqlite -wal files).
_SKIPPED = (
    ".git", "node_modules", "__pycache__", ".optiagent", ".mypy_cache", ".ruff_cache", ".pytest_cache",
    ".hypothesis", ".tox", ".nox",
)  # fmt: skip


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256(str(path).encode())
    for directory, dirnames, filenames in os.walk(path):
        dirnames[:] = sorted(name for name in dirnames if name not in _SKIPPED)
        for name in sorted(filenames):
            try:
                info = os.lstat(os.path.join(directory, name))
            except OSError:
                continue
            digest.update(f"{directory}/{name}:{info.st_size}:{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:20]


def _copy_if_there(source: str, destination: str) -> None:
    """shutil.copy2, except that a file deleted since the directory was listed is left out (as it
    would be had the copy started a moment later) instead of failing the whole job."""
    try:
        shutil.copy2(source, destination)
    except FileNotFoundError:
        if os.path.lexists(source):
            raise


def _open_up(root: Path) -> None:
    for directory, dirnames, filenames in os.walk(root):
        os.chmod(directory, 0o755)
        for name in filenames:
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                mode = os.lstat(path).st_mode
                os.chmod(path, 0o755 if mode & 0o100 else 0o644)
        del dirnames[:0]


def readable_snapshot(path: Path, root: Path) -> Path:
    """A world-readable copy of `path` under `root`, reused while the content is unchanged."""
    target = root / f"ro-{_fingerprint(path)}"
    if target.is_dir():
        return target
    staging = root / f"staging-{secrets.token_hex(6)}"
    if path.is_dir():
        try:
            shutil.copytree(
                path,
                staging,
                symlinks=True,
                ignore=shutil.ignore_patterns(*_SKIPPED),
                copy_function=_copy_if_there,
            )
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)  # no half-made snapshot stays behind
            raise
    else:
        staging.mkdir()
    _open_up(staging)
    try:
        staging.rename(target)
    except OSError:  # another job made the same snapshot first
        shutil.rmtree(staging, ignore_errors=True)
    return target
