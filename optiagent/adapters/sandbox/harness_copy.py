"""The harness source, copied where the Docker daemon can mount it from.

The daemon resolves bind-mount sources on its own machine. When the service itself runs in a
container (compose), its installed package is not there; the sandbox's work root is (the operator
shares it at the same path, see docs/service.md). So boxes mount a copy under the work root, one
per content: editing harness code needs no image rebuild, and copies in use are never changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path


def _harness_files(source: Path) -> list[Path]:
    return sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def published_harness(source: Path, root: Path) -> Path:
    """`root/harness-<hash>`, a world-readable copy of the package directory `source`."""
    files = _harness_files(source)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(source).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    target = root / f"harness-{digest.hexdigest()[:16]}"
    if target.is_dir():
        return target
    staging = Path(tempfile.mkdtemp(prefix="harness-new-", dir=root))
    try:
        for path in files:
            copy = staging / path.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
            copy.chmod(0o644)
        for directory in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
            directory.chmod(0o755)
        os.rename(staging, target)  # atomic; another process may have won the race
    except OSError:
        if not target.is_dir():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
