"""The directory put on PYTHONPATH inside a sandbox: the harness and the few packages it needs."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from pathlib import Path

# The harness is stdlib + hypothesis; these are hypothesis's own pure-Python dependencies.
_HARNESS_PACKAGES = ("hypothesis", "sortedcontainers")
HARNESS_PACKAGE = "optiagent_harness"


def harness_source_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "harness"


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {name!r} is not installed in the service environment")
    return Path(next(iter(spec.submodule_search_locations)))


def build_harness_root() -> Path:
    """A directory of symlinks (created once per content) exposing `optiagent_harness` and deps."""
    links = {HARNESS_PACKAGE: harness_source_dir()}
    links.update({name: _package_dir(name) for name in _HARNESS_PACKAGES})
    digest = hashlib.sha256(repr(sorted((k, str(v)) for k, v in links.items())).encode()).hexdigest()[:16]
    root = Path(tempfile.gettempdir()) / f"optiagent-harness-{os.getuid()}-{digest}"
    if root.is_dir() and all((root / name).exists() for name in links):
        return root
    staging = Path(tempfile.mkdtemp(prefix="optiagent-harness-staging-"))
    for name, target in links.items():
        (staging / name).symlink_to(target, target_is_directory=True)
    try:
        staging.rename(root)
    except OSError:  # another process won the race; its directory is equivalent
        for child in staging.iterdir():
            child.unlink()
        staging.rmdir()
    return root
