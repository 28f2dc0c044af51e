"""The verdict cache: a candidate checked once on an input set is not checked again, in any run.

The key is (normalized candidate text + target, hash of everything the check's inputs derive
from). Hypothesis runs derandomized and stress inputs are scaled deterministically, so the input
set is a function of: the project's files (all of them, not only `.py`: an extension module, a
stale `.pyc` or a data file that shadows or feeds the code changes what it does), the captured
calls, the inferred shapes, the docstring examples, the check settings and the harness itself.
Only definite verdicts are cached (equivalent, mismatch); timeouts and crashes may be load.
The service also scopes the cache by tenant (services/tenancy.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from optiagent.domain.history import CachedVerdict, VerdictCacheKey
from optiagent.domain.verdicts import Equivalent, Mismatch
from optiagent.rewrite.normalize import normalize_source
from optiagent.verify.jobs import CheckSettings, Evidence
from optiagent.verify.verdicts import CheckOutcome

# Our own output, version control, and environments (whose interpreter is keyed by its path, as an
# interpreter outside the tree is). Everything else counts, __pycache__ and build/ included.
_SKIPPED_DIRS = {".git", ".optiagent", ".venv", "venv", ".tox", "node_modules"}
_MAX_FILES = 20_000
_MAX_REMEMBERED = 200_000  # file digests kept between checks
_HARNESS_DIR = Path(__file__).resolve().parents[1] / "harness"

_file_digests: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()


class _TooManyFiles(Exception):
    pass


def _project_files(root: Path, skipped: frozenset[str]) -> Iterator[Path]:
    count = 0
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in skipped)
        for name in sorted(files):
            count += 1
            if count > _MAX_FILES:
                raise _TooManyFiles
            yield Path(directory) / name


def tree_digest(root: Path, skipped: frozenset[str] = frozenset(_SKIPPED_DIRS)) -> str:
    """Hash of every file under root (links by their target's text); file contents are re-read
    only when size or mtime change. A tree too large to hash gets a digest of its own that no
    other check shares: its verdicts are never reused."""
    try:
        return _tree_digest(root, skipped)
    except _TooManyFiles:
        return f"unhashed-{uuid.uuid4().hex}"


def _tree_digest(root: Path, skipped: frozenset[str]) -> str:
    digest = hashlib.sha256()
    for path in _project_files(root, skipped):
        name = path.relative_to(root)
        try:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                digest.update(f"{name}\0link:{os.readlink(path)}\n".encode())
                continue
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):  # never opened (a fifo would block), but counted
            digest.update(f"{name}\0special:{stat.S_IFMT(info.st_mode)}\n".encode())
            continue
        key = (str(path), info.st_mtime_ns, info.st_size)
        with _lock:
            known = _file_digests.get(key)
        if known is None:
            try:
                with path.open("rb") as handle:
                    known = hashlib.file_digest(handle, "sha256").hexdigest()
            except OSError:
                continue
            with _lock:
                if len(_file_digests) > _MAX_REMEMBERED:
                    _file_digests.clear()
                _file_digests[key] = known
        digest.update(f"{name}\0{known}\n".encode())
    return digest.hexdigest()


def input_set_hash(target_key: str, evidence: Evidence, settings: CheckSettings) -> str:
    digest = hashlib.sha256()
    digest.update(tree_digest(Path(evidence.root)).encode())
    digest.update(tree_digest(_HARNESS_DIR, frozenset({*_SKIPPED_DIRS, "__pycache__"})).encode())
    for name in sorted(evidence.captures):
        digest.update(name.encode() + b"\0" + hashlib.sha256(evidence.captures[name]).digest())
    for case in evidence.stdin_cases:
        try:
            digest.update(hashlib.sha256(Path(case).read_bytes()).digest())
        except OSError:
            digest.update(f"missing:{case}".encode())
    described = {
        "target": target_key,
        "base_dir": evidence.base_dir,
        "module": evidence.module_name,
        "shapes": evidence.shapes,
        "examples": [list(e) for e in evidence.examples],
        "python": evidence.python,
        "settings": {
            k: v for k, v in dataclasses.asdict(settings).items() if k not in ("parallel", "limits")
        },
    }
    digest.update(json.dumps(described, sort_keys=True, default=repr).encode())
    return digest.hexdigest()


def candidate_hash(target_key: str, source: str) -> str:
    try:
        text = normalize_source(source)
    except Exception:  # unparsable text is cached by its exact bytes
        text = source
    return hashlib.sha256(f"{target_key}\0{text}".encode()).hexdigest()


def cache_key(target_key: str, source: str, inputs_hash: str) -> VerdictCacheKey:
    return VerdictCacheKey(source_hash=candidate_hash(target_key, source), inputs_hash=inputs_hash)


def entry_for(key: VerdictCacheKey, outcome: CheckOutcome) -> CachedVerdict | None:
    """What to remember of a fresh outcome; None for verdicts that may depend on load."""
    if outcome.from_cache or outcome.duplicate_of is not None:
        return None
    verdict = outcome.verdict
    if isinstance(verdict, Equivalent):
        return CachedVerdict(key, "equivalent", "", dict(verdict.checked))
    if isinstance(verdict, Mismatch):
        detail = f"{verdict.detail} on {verdict.source} input {verdict.counterexample[:400]}"
        return CachedVerdict(key, "mismatch", detail)
    return None


def cached_outcome(entry: CachedVerdict) -> CheckOutcome | None:
    """A rejected candidate's outcome straight from the cache (equivalent ones are still timed)."""
    if entry.verdict == "mismatch":
        return CheckOutcome(Mismatch("", "an earlier run's", entry.detail), from_cache=True)
    return None
