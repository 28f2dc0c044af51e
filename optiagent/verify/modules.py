"""Where a file's module lives: the import root and dotted name the harness must use."""

from __future__ import annotations

from collections.abc import Collection


def module_location(file: str, known_files: Collection[str]) -> tuple[str, str]:
    """(base directory relative to the root, dotted module name) for a root-relative file.

    Walks up through directories that hold an `__init__.py`, as Python's own script-directory
    rule would when a workload in the file's directory imports it.
    """
    parts = file.split("/")
    stem = parts[-1][:-3] if parts[-1].endswith(".py") else parts[-1]
    directories = parts[:-1]
    names = [] if stem == "__init__" else [stem]
    while directories and "/".join([*directories, "__init__.py"]) in known_files:
        names.insert(0, directories.pop())
    return "/".join(directories) or ".", ".".join(names)
