"""The directory put on PYTHONPATH inside a sandbox: the harness and the few packages it needs."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# The harness is stdlib + hypothesis; these are hypothesis's own pure-Python dependencies.
_HARNESS_PACKAGES = ("hypothesis", "sortedcontainers")
HARNESS_PACKAGE = "optiagent_harness"
HYPOTHESIS_STORAGE = "hypothesis-storage"
_LAYOUT_VERSION = 2  # bump when the directory's content changes: roots in use are never deleted

# Hypothesis builds Unicode tables on first use (seconds); build them once per harness root so
# each fresh sandbox job reads them instead of recomputing.
_WARM_UP = (
    "from hypothesis.internal.charmap import charmap, intervals_from_codec\n"
    "charmap()\n"
    "intervals_from_codec('utf-8')\n"
)


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
    recipe = repr((_LAYOUT_VERSION, sorted((k, str(v)) for k, v in links.items())))
    digest = hashlib.sha256(recipe.encode()).hexdigest()[:16]
    root = Path(tempfile.gettempdir()) / f"optiagent-harness-{os.getuid()}-{digest}"
    if root.is_dir() and all((root / name).exists() for name in [*links, HYPOTHESIS_STORAGE]):
        return root
    staging = Path(tempfile.mkdtemp(prefix="optiagent-harness-staging-"))
    for name, target in links.items():
        (staging / name).symlink_to(target, target_is_directory=True)
    storage = staging / HYPOTHESIS_STORAGE
    storage.mkdir()
    env = {**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": str(storage), "PYTHONPATH": str(staging)}
    subprocess.run([sys.executable, "-c", _WARM_UP], env=env, check=False, capture_output=True, timeout=120)
    try:
        staging.rename(root)
    except OSError:  # another process won the race; its directory is equivalent
        shutil.rmtree(staging, ignore_errors=True)
    return root
