"""Find the Python files of a code base, outline their functions, and rank targets statically.

A file that cannot be used (not UTF-8, binary, too large, syntax error, unreadable, a symlink
loop) is reported as a `SkippedFile`; discovery never raises for a bad file.
"""

from __future__ import annotations

import ast
import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from optiagent.domain.errors import InputError
from optiagent.domain.targets import SkippedFile, Target, TargetKind, is_nested
from optiagent.rewrite.functions import FunctionInfo, ModuleOutline, annotation_is_generatable, outline_module

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        "site-packages",
        ".optiagent",
        "build",
        "dist",
        ".tox",
    }
)


@dataclass(frozen=True)
class SourceFile:
    """A file that Python can parse. `path` is relative to `Discovery.base`, with forward slashes.

    Its outline (functions, value classes) is made with libcst on first use: libcst is slow on
    large data modules (idna's 240 kB table: a minute under load), and with a workload only the
    files that ran hot need one.
    """

    path: str
    source: str
    sha256: str

    @property
    def functions(self) -> list[FunctionInfo]:
        outline = self._outline()
        return list(outline.functions) if outline else []

    @property
    def value_classes(self) -> frozenset[str]:
        outline = self._outline()
        return outline.value_classes if outline else frozenset()

    def _outline(self) -> ModuleOutline | None:
        try:
            return outline_module(self.source)
        except Exception:  # libcst cannot read what Python can (rare): no functions to offer
            return None


@dataclass
class Discovery:
    """What `discover` found. `base` is the directory that file paths are relative to: the root
    itself, or the parent of the root when the root is a single file."""

    base: Path
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)

    def file(self, path: str) -> SourceFile | None:
        return next((f for f in self.files if f.path == path), None)


def discover(
    root: Path,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    max_bytes: int = 1_000_000,
) -> Discovery:
    """Every usable `.py` file under `root` (or `root` itself when it is a file)."""
    if not root.exists():
        raise InputError(f"{root} does not exist; pass the directory or file to optimize")
    if root.is_file():
        found = Discovery(base=root.parent.resolve())
        _add_file(found, root, root.name, max_bytes)
        return found
    if not root.is_dir():
        raise InputError(f"{root} is neither a directory nor a regular file")
    found = Discovery(base=root.resolve())
    for relative, path in _walk(found, include, exclude):
        _add_file(found, path, relative, max_bytes)
    found.files.sort(key=lambda f: f.path)
    return found


def _matches(relative: str, patterns: Sequence[str]) -> bool:
    """True when a pattern matches the path as a glob or names one of its parent directories."""
    for pattern in patterns:
        clean = pattern.strip("/")
        if fnmatchcase(relative, clean) or relative.startswith(clean + "/"):
            return True
    return False


def _walk(found: Discovery, include: Sequence[str], exclude: Sequence[str]) -> Iterator[tuple[str, Path]]:
    """Yields (relative path, path) of candidate files. Real directories are walked first;
    symlinked directories afterwards, once each, never into a directory already walked."""
    base = found.base
    walked: set[Path] = set()
    links: list[tuple[str, Path]] = []
    stack: list[tuple[str, Path]] = [("", base)]
    while stack or links:
        if stack:
            prefix, directory = stack.pop()
        else:
            prefix, directory = links.pop(0)
            reason = _unfollowable_link(directory, base, walked)
            if reason is not None:
                found.skipped.append(SkippedFile(prefix.rstrip("/"), reason))
                continue
        walked.add(directory.resolve())
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name, reverse=True)
        except OSError as error:
            found.skipped.append(SkippedFile(prefix or ".", f"unreadable directory: {error.strerror}"))
            continue
        for entry in entries:
            relative = f"{prefix}{entry.name}"
            if _matches(relative, exclude):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name in SKIPPED_DIRS or entry.name.startswith("."):
                    continue
                pending = links if entry.is_symlink() else stack
                pending.append((relative + "/", Path(entry.path)))
            elif entry.name.endswith(".py") and (not include or _matches(relative, include)):
                yield relative, Path(entry.path)


def _unfollowable_link(link: Path, base: Path, walked: set[Path]) -> str | None:
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):
        return "symlink loop"
    if link.parent.resolve().is_relative_to(target):
        return "symlink loop"
    if not target.is_relative_to(base):
        return "symlink outside the root"
    if target in walked:
        return "symlink to a directory already scanned"
    return None


def _add_file(found: Discovery, path: Path, relative: str, max_bytes: int) -> None:
    reason = _read_and_outline(found, path, relative, max_bytes)
    if reason is not None:
        found.skipped.append(SkippedFile(relative, reason))


def _read_and_outline(found: Discovery, path: Path, relative: str, max_bytes: int) -> str | None:
    """Adds the file to `found` and returns None, or returns why it was skipped."""
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(found.base):
            return "symlink outside the root"
        size = path.stat().st_size
        if size > max_bytes:
            return f"larger than {max_bytes} bytes ({size} bytes)"
        data = path.read_bytes()
    except OSError as error:
        return f"unreadable: {error.strerror or error}"
    except RuntimeError:  # pathlib's "Symlink loop from ..."
        return "symlink loop"
    if len(data) > max_bytes:
        return f"larger than {max_bytes} bytes"
    if b"\0" in data:
        return "binary file (contains NUL bytes)"
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return f"not UTF-8 (invalid byte at offset {error.start})"
    try:  # Python's own parser: fast, and it locates syntax errors precisely
        ast.parse(source, relative)
    except SyntaxError as error:
        return f"syntax error at line {error.lineno}: {error.msg}"
    except RecursionError:
        return "could not parse: nested too deeply"
    except (ValueError, MemoryError) as error:
        return f"could not parse: {type(error).__name__}: {error}"
    digest = hashlib.sha256(data).hexdigest()
    found.files.append(SourceFile(relative, source, digest))
    return None


def is_test_or_setup_file(path: str) -> bool:
    """Test modules, test directories, conftest.py and setup.py hold no optimization targets."""
    parts = path.split("/")
    name = parts[-1]
    return (
        name in {"conftest.py", "setup.py"}
        or name.startswith("test_")
        or name.endswith("_test.py")
        or any(part in {"tests", "test"} for part in parts[:-1])
    )


def rank_static(discovery: Discovery, require_inputs: bool = True) -> list[Target]:
    """Functions ranked by static cost, hottest first. With `require_inputs`, only those whose
    inputs can be produced without a workload (generatable annotations or doctest examples)."""
    value_classes = frozenset().union(*(f.value_classes for f in discovery.files))
    targets: list[Target] = []
    for source_file in discovery.files:
        if is_test_or_setup_file(source_file.path):
            continue
        for info in source_file.functions:
            if info.name == "main" or not info.params or info.is_async or is_nested(info.qualname):
                continue  # nested functions need the closures a workload gives them
            if require_inputs and not can_produce_inputs(info, value_classes):
                continue
            targets.append(
                Target(
                    file=source_file.path,
                    qualname=info.qualname,
                    kind=info.kind,
                    start_line=info.start_line,
                    end_line=info.end_line,
                    score=info.static_cost,
                )
            )
    targets.sort(key=lambda t: (-t.score, t.file, t.qualname))
    return targets


def can_produce_inputs(info: FunctionInfo, value_classes: frozenset[str] = frozenset()) -> bool:
    """Inputs can be made without a workload: doctest examples, or every parameter that needs a
    value has a generatable annotation. Instance methods need an instance, so they cannot."""
    if is_nested(info.qualname):
        return False  # its closure comes from a workload's calls
    if info.has_docstring_examples:
        return True
    params = info.params
    if info.kind is TargetKind.METHOD:
        if "staticmethod" in info.decorators:
            pass
        elif "classmethod" in info.decorators:
            params = params[1:]
        else:
            return False
    generatable = {
        p.name
        for p in params
        if p.annotation is not None and annotation_is_generatable(p.annotation, value_classes)
    }
    needed = [p.name for p in params if p.default is None and p.kind in ("positional", "keyword_only")]
    return bool(generatable) and all(name in generatable for name in needed)


__all__ = ["Discovery", "SkippedFile", "SourceFile", "can_produce_inputs", "discover", "rank_static"]
