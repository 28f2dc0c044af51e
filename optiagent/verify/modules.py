"""Where a file's module lives: the import root and dotted name the harness must use."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path


def module_location(file: str, known_files: Collection[str], root: Path | None = None) -> tuple[str, str]:
    """(base directory relative to the root, dotted module name) for a root-relative file.

    Walks up through directories that hold an `__init__.py`, as Python's own script-directory
    rule would when a workload in the file's directory imports it. With `root` (the real path of
    the directory `file` is relative to), the walk goes on above it: optimizing `src/pkg` imports
    `pkg.core` from `src`, so relative imports and pickled references resolve (base `..`).
    """
    parts = file.split("/")
    stem = parts[-1][:-3] if parts[-1].endswith(".py") else parts[-1]
    directories = parts[:-1]
    names = [] if stem == "__init__" else [stem]
    while directories and "/".join([*directories, "__init__.py"]) in known_files:
        names.insert(0, directories.pop())
    if directories or root is None or "__init__.py" not in known_files:
        return "/".join(directories) or ".", ".".join(names)
    ups = 0
    while (root / "__init__.py").is_file() and root.parent != root and root.name.isidentifier():
        names.insert(0, root.name)
        root, ups = root.parent, ups + 1
    return "/".join([".."] * ups) or ".", ".".join(names)
