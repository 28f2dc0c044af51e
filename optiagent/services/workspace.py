"""A job's code on a worker's disk: archives unpacked safely (archives.py), git checkouts
(repositories.py) packed into the job's archive so every worker optimizes the same files."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from optiagent.services.archives import (
    ArchiveLimits,
    ArchiveRefused,
    archive_kind,
    check_archive,
    project_root,
    unpack_archive,
)
from optiagent.services.repositories import RepositoryPolicy, check_repository_url, fetch_repository

__all__ = [
    "ArchiveLimits",
    "ArchiveRefused",
    "RepositoryPolicy",
    "archive_kind",
    "check_archive",
    "check_repository_url",
    "fetch_repository",
    "pack_directory",
    "project_root",
    "unpack_archive",
]


def pack_directory(directory: Path) -> bytes:
    """A .tar.gz of `directory` (without .git), with names relative to it; links stay links."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(directory.rglob("*")):
            relative = path.relative_to(directory)
            if relative.parts[0] == ".git":
                continue
            archive.add(path, arcname=relative.as_posix(), recursive=False)
    return buffer.getvalue()
