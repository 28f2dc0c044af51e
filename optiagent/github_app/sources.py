"""Reading files out of a GitHub tarball in memory (top directory `<owner>-<repo>-<sha>/`)."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Collection

MAX_SOURCE_BYTES = 2 * 2**20  # a changed file larger than this is not read for its functions


def read_sources(tarball: bytes, paths: Collection[str]) -> dict[str, str]:
    """The text of each of `paths` (repository-relative) found as a regular file in the tarball."""
    wanted, found = set(paths), {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:*") as archive:
        for member in archive:
            if not member.isfile() or member.size > MAX_SOURCE_BYTES:
                continue
            parts = member.name.split("/", 1)
            if len(parts) == 2 and parts[1] in wanted:
                handle = archive.extractfile(member)
                if handle is not None:
                    found[parts[1]] = handle.read().decode("utf-8", errors="replace")
    return found
