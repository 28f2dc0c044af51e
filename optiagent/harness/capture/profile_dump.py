"""Turns this process's cProfile statistics into JSON about the project's functions only.

`profile-<token>.json` = {"pid", "wall_s", "total_s" (sum of own time of everything profiled),
"functions": [{"file" (absolute), "path" (relative to the capture root), "line", "name",
"ncalls", "tottime", "cumtime", "callees": [{"file", "path", "line", "name", "cumtime", "tottime"}]}]} where
callees are project functions, or builtins called directly (`"builtin": true`, no path), and an edge's
times are the callee's when called from this caller.
Capturing wrappers are folded into the functions they wrap. Also "outside": the functions outside
the project with the most own time (neither builtins nor the standard library), and
"imported_elsewhere": target packages imported from outside the root, so the host can say why a
hot function is not a target.
"""

from __future__ import annotations

import json
import os
import sysconfig
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from .hook import ProjectFiles
from .wrappers import WRAPPER_FILENAME, WrapperRegistry

Key = tuple[str, int, str]
_BUILTIN_FILE = "~"  # cProfile's file name for builtins and C methods
_OUTSIDE_KEPT = 15
_LIBRARY_DIRS = tuple(
    os.path.realpath(p) + os.sep
    for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
)
_OWN_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__))) + os.sep


class Profiled(Protocol):
    """cProfile.Profile, or thread_profiles.ThreadProfiles (every thread's added up)."""

    stats: Any

    def create_stats(self) -> None: ...


def write_profile(
    profiler: Profiled,
    files: ProjectFiles,
    registry: WrapperRegistry,
    path: Path,
    wall_s: float,
    imported_elsewhere: Mapping[str, str] | None = None,
) -> None:
    profiler.create_stats()
    stats: dict[Key, Any] = profiler.stats
    total = sum(entry[2] for entry in stats.values())

    def canonical(key: Key) -> Key:
        return registry.originals.get(key[1], key) if key[0] == WRAPPER_FILENAME else key

    def in_project(key: Key) -> bool:
        return files.relative(key[0]) is not None

    # A wrapper's cumulative time includes capture overhead: scale its edges down to the
    # wrapped function's share.
    wrapper_share: dict[Key, float] = {}
    for key, (_, _, _, cumtime, _) in stats.items():
        if key[0] == WRAPPER_FILENAME and cumtime > 0:
            original = stats.get(canonical(key))
            wrapper_share[key] = min(1.0, original[3] / cumtime) if original else 1.0

    functions: dict[Key, dict[str, Any]] = {}
    for key, (_, ncalls, tottime, cumtime, _) in stats.items():
        if key[0] != WRAPPER_FILENAME and in_project(key):
            functions[key] = {
                "file": os.path.realpath(key[0]), "path": files.relative(key[0]), "line": key[1], "name": key[2],
                "ncalls": ncalls, "tottime": tottime, "cumtime": cumtime, "callees": {},
            }  # fmt: skip
    for callee_key, (_, _, _, _, callers) in stats.items():
        callee = canonical(callee_key)
        if callee not in functions and callee[0] != _BUILTIN_FILE:
            continue
        share = wrapper_share.get(callee_key, 1.0)
        own_share = _own_share(stats.get(callee)) if callee_key != callee else None
        for caller_key, edge in callers.items():
            caller = canonical(caller_key)
            if caller_key[0] == WRAPPER_FILENAME or caller not in functions or caller == callee:
                continue  # wrapper -> wrapped, recursion, or a caller outside the project
            edges = functions[caller]["callees"]
            cumulative, own = edges.get(callee, (0.0, 0.0))
            # A wrapper's own time is capture overhead: the wrapped function's own share of the edge
            # stands in for it.
            edge_own = edge[2] if own_share is None else edge[3] * share * own_share
            edges[callee] = (cumulative + edge[3] * share, own + edge_own)
    document = {
        "pid": os.getpid(),
        "wall_s": wall_s,
        "total_s": total,
        "functions": [_with_edge_list(entry, files) for entry in functions.values()],
        "outside": _hottest_outside(stats, files),
        "imported_elsewhere": dict(imported_elsewhere or {}),
    }
    path.write_text(json.dumps(document))


def _own_share(entry: Any) -> float:
    """The part of a function's cumulative time spent in its own code."""
    if not entry or entry[3] <= 0:
        return 0.0
    return float(min(1.0, entry[2] / entry[3]))


def _with_edge_list(entry: dict[str, Any], files: ProjectFiles) -> dict[str, Any]:
    edges: dict[Key, tuple[float, float]] = entry["callees"]
    entry["callees"] = [_edge(key, cumtime, own, files) for key, (cumtime, own) in edges.items()]
    return entry


def _edge(key: Key, cumtime: float, own: float, files: ProjectFiles) -> dict[str, Any]:
    file, line, name = key
    if file == _BUILTIN_FILE:  # a builtin called directly: its time is the caller's to save
        return {"file": file, "path": None, "builtin": True, "line": line, "name": name, "cumtime": cumtime}
    return {
        "file": os.path.realpath(file),
        "path": files.relative(file),
        "line": line,
        "name": name,
        "cumtime": cumtime,
        "tottime": own,
    }


def _hottest_outside(stats: dict[Key, Any], files: ProjectFiles) -> list[dict[str, Any]]:
    """Python functions outside the project with the most own time: code the user may expect to be
    a target (a script beside the package, an installed copy of it, another package of the tree)."""
    rows: list[dict[str, Any]] = []
    for key, (_, ncalls, tottime, _, _) in stats.items():
        file = key[0]
        if file in (_BUILTIN_FILE, WRAPPER_FILENAME) or not file.endswith(".py") or files.relative(file):
            continue
        real = os.path.realpath(file)
        if (real.startswith(_LIBRARY_DIRS) and "site-packages" not in real) or real.startswith(_OWN_DIR):
            continue
        rows.append({"file": real, "line": key[1], "name": key[2], "ncalls": ncalls, "tottime": tottime})
    rows.sort(key=lambda row: -float(row["tottime"]))
    return rows[:_OUTSIDE_KEPT]
