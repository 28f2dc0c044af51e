"""Run a workload once in the sandbox under the capture harness, then rank the project's
functions by addressable time: own time, plus time in the builtins they call directly (a
rewrite of the function can avoid those calls), plus the own time of the project functions they
call directly (a rewrite can inline or avoid those calls too). Time deeper down is not counted:
it belongs to the functions that spend it, so a driver over a deep call tree (a parser's
dispatch loop, a filter pipeline's `run`) does not outrank the functions doing the work.

The host only reads the JSON the harness writes; the captured pickles stay opaque bytes.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optiagent.domain.targets import Target
from optiagent.harness.shapes import merge
from optiagent.ports.sandbox import Sandbox, SandboxJob, SandboxLimits, SandboxStatus
from optiagent.rewrite.functions import FunctionInfo, list_functions
from optiagent.services.discovery import Discovery, is_test_or_setup_file
from optiagent.services.layout import Layout

CAPTURE_DIR = "capture"
SITECUSTOMIZE_DIR = "_capture"
SITECUSTOMIZE = b'''"""Written by optiagent: profiles this process and records calls of the project's functions."""
try:
    from optiagent_harness.capture import start as _optiagent_start
except Exception:  # the harness is missing: run the workload unprofiled
    pass
else:
    _optiagent_start(__file__)
'''
MIN_SHARE = 0.001  # functions under 0.1% of the total are dropped
_STDERR_TAIL = 4000

FunctionKey = tuple[str, int, str]  # (path relative to the root, first line, name)


@dataclass(frozen=True)
class ProfiledFunction:
    file: str
    qualname: str
    own_s: float
    addressable_s: float
    ncalls: int
    captured_calls: int = 0
    skipped_calls: int = 0
    capture_files: tuple[str, ...] = ()
    # [{"name": parameter, "shape": shape}] in signature order (see optiagent.harness.shapes)
    shapes: tuple[Mapping[str, Any], ...] = ()
    result_shape: Mapping[str, Any] | None = None

    @property
    def key(self) -> str:
        return f"{self.file}::{self.qualname}"


@dataclass(frozen=True)
class OutsideFunction:
    """A hot function that is not a target: outside the target path, or in an installed copy."""

    file: str  # real path
    line: int
    name: str
    own_s: float
    share: float  # of the workload's total profiled time


@dataclass(frozen=True)
class WorkloadProfile:
    total_s: float
    functions: list[ProfiledFunction]
    captures: Mapping[str, bytes] = field(default_factory=dict)  # collected path -> raw pickle
    failed: bool = False
    exit_code: int | None = None
    stderr_tail: str = ""
    processes: int = 0  # Python processes that reported a profile
    target_code_ran: bool = False  # any function under the target ran (before the 0.1% cut)
    outside: tuple[OutsideFunction, ...] = ()
    imported_elsewhere: Mapping[str, str] = field(default_factory=dict)  # package -> real file


def capture_job(
    layout: Layout, command: str, timeout_s: float, packages: Sequence[str] = (), max_calls: int = 20
) -> SandboxJob:
    """The sandbox job that runs `command` where the user would, on the real files (read-only),
    with capture in every Python process; only code under the target is captured."""
    script = _keep_our_pythonpath(command)
    if layout.python and "/" in layout.python:
        script = f'PATH={shlex.quote(str(Path(layout.python).parent))}:"$PATH"; export PATH; {command}'
    limits = dataclasses.replace(SandboxLimits(), timeout_s=timeout_s, cpu_s=int(timeout_s) + 5)
    return SandboxJob(
        argv=("/bin/sh", "-c", script),
        files={f"{SITECUSTOMIZE_DIR}/sitecustomize.py": SITECUSTOMIZE},
        env={
            "OPTIAGENT_CAPTURE_DIR": CAPTURE_DIR,
            "OPTIAGENT_CAPTURE_ROOT": str(layout.target),
            "OPTIAGENT_CAPTURE_PACKAGES": ",".join(packages),
            "OPTIAGENT_CAPTURE_MAX_CALLS": str(max_calls),
            # Real workloads pass real-sized data; the pickles stay opaque bytes on the host.
            "OPTIAGENT_CAPTURE_MAX_BYTES": str(4 * 1024 * 1024),
        },
        python=layout.python if layout.python and Path(layout.python).is_absolute() else None,
        readonly_paths=layout.readonly_paths,
        cwd=str(layout.workload_dir),
        pythonpath=(SITECUSTOMIZE_DIR,),
        harness_deps=False,  # capture is stdlib-only: the workload imports its own hypothesis & co
        collect=(f"{CAPTURE_DIR}/",),
        limits=limits,
    )


def _keep_our_pythonpath(command: str) -> str:
    """`PYTHONPATH=src python bench.py` would drop the profiler's entry: append ours to theirs."""
    match = re.match(r"\s*PYTHONPATH=(\S*)\s", command)
    if match is None:
        return command
    return f'PYTHONPATH={match.group(1)}:"$PYTHONPATH" {command[match.end() :]}'


def profile_workload(
    sandbox: Sandbox, layout: Layout, command: str, timeout_s: float, packages: Sequence[str] = ()
) -> WorkloadProfile:
    """Runs the workload once; a failing workload is reported (`failed`), not raised."""
    result = sandbox.run(capture_job(layout, command, timeout_s, packages))
    profiles, indexes = _read_documents(result.files)
    profile = aggregate(layout.target, profiles, indexes, result.files)
    return dataclasses.replace(
        profile,
        failed=result.status is not SandboxStatus.OK,
        exit_code=result.exit_code,
        stderr_tail=result.stderr.decode("utf-8", "replace")[-_STDERR_TAIL:],
        processes=len(profiles),
        outside=_outside(profiles),
        imported_elsewhere=_imported_elsewhere(profiles),
    )


def _outside(profiles: list[dict[str, Any]]) -> tuple[OutsideFunction, ...]:
    """Hot functions outside the target, summed over processes, with their share of the total."""
    total = sum(float(p.get("total_s", 0.0) or 0.0) for p in profiles) or 1.0
    sums: dict[tuple[str, int, str], float] = {}
    for document in profiles:
        for row in document.get("outside", []) or []:
            try:
                key = (str(row["file"]), int(row["line"]), str(row["name"]))
                sums[key] = sums.get(key, 0.0) + float(row["tottime"])
            except (TypeError, ValueError, KeyError):
                continue
    ranked = sorted(sums.items(), key=lambda item: -item[1])
    return tuple(
        OutsideFunction(f, line, name, seconds, seconds / total) for (f, line, name), seconds in ranked
    )


def _imported_elsewhere(profiles: list[dict[str, Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for document in profiles:
        entries = document.get("imported_elsewhere")
        if isinstance(entries, dict):
            found.update({str(k): str(v) for k, v in entries.items()})
    return found


def _read_documents(files: Mapping[str, bytes]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    profiles: list[dict[str, Any]] = []
    indexes: list[dict[str, Any]] = []
    for path, data in sorted(files.items()):
        name = path.rsplit("/", 1)[-1]
        if not name.endswith(".json") or not name.startswith(("profile-", "index-")):
            continue
        try:
            document = json.loads(data)
        except ValueError:
            continue
        if isinstance(document, dict):
            (profiles if name.startswith("profile-") else indexes).append(document)
    return profiles, indexes


@dataclass
class _Totals:
    own_s: float = 0.0
    builtin_s: float = 0.0  # in builtins called directly (len, sorted, list.index...)
    ncalls: int = 0
    callees: dict[FunctionKey, float] = field(default_factory=dict)  # the callees' own time, from here


def aggregate(
    root: Path,
    profiles: list[dict[str, Any]],
    indexes: list[dict[str, Any]],
    files: Mapping[str, bytes],
) -> WorkloadProfile:
    """Sums per-process profiles, names functions by qualname, and ranks by addressable time."""
    total = 0.0
    totals: dict[FunctionKey, _Totals] = {}
    for document in profiles:
        try:
            total += float(document.get("total_s", 0.0))
            for entry in document.get("functions", []):
                _add_entry(totals, entry)
        except (TypeError, ValueError, KeyError, AttributeError):
            continue  # malformed output of a workload process: ignore that process
    captured = _merge_indexes(indexes)
    namer = _QualnameResolver(root)
    ranked: list[ProfiledFunction] = []
    for key, sums in totals.items():
        qualname = namer.qualname(key)
        if qualname is None:
            continue
        addressable = (
            sums.own_s + sums.builtin_s + sum(t for callee, t in sums.callees.items() if callee != key)
        )
        if total > 0 and addressable < MIN_SHARE * total:
            continue
        ranked.append(_profiled(key[0], qualname, sums, addressable, captured.get(f"{key[0]}::{qualname}")))
    ranked.sort(key=lambda f: (-f.addressable_s, f.key))
    wanted = {path for f in ranked for path in f.capture_files}
    return WorkloadProfile(
        total,
        ranked,
        {path: data for path, data in files.items() if path in wanted},
        target_code_ran=bool(totals),
    )


def _add_entry(totals: dict[FunctionKey, _Totals], entry: Mapping[str, Any]) -> None:
    if not isinstance(entry.get("path"), str):
        return
    key = (str(entry["path"]), int(entry["line"]), str(entry["name"]))
    sums = totals.setdefault(key, _Totals())
    sums.own_s += float(entry["tottime"])
    sums.ncalls += int(entry["ncalls"])
    for callee in entry.get("callees", []):
        if callee.get("builtin") is True:
            sums.builtin_s += float(callee["cumtime"])
        elif isinstance(callee.get("path"), str):
            callee_key = (str(callee["path"]), int(callee["line"]), str(callee["name"]))
            own = float(callee.get("tottime", callee["cumtime"]))  # older harnesses sent cumtime only
            sums.callees[callee_key] = sums.callees.get(callee_key, 0.0) + own


def _profiled(
    path: str, qualname: str, sums: _Totals, addressable: float, capture: dict[str, Any] | None
) -> ProfiledFunction:
    capture = capture or {}
    return ProfiledFunction(
        file=path,
        qualname=qualname,
        own_s=sums.own_s,
        addressable_s=addressable,
        ncalls=sums.ncalls,
        captured_calls=capture.get("captured", 0),
        skipped_calls=capture.get("skipped", 0),
        capture_files=tuple(capture.get("pickles", ())),
        shapes=tuple({"name": n, "shape": s} for n, s in capture.get("shapes", {}).items()),
        result_shape=capture.get("result_shape"),
    )


def _merge_indexes(indexes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per "path::qualname": captured and skipped counts, pickle paths, merged shapes."""
    merged: dict[str, dict[str, Any]] = {}
    for index in indexes:
        for key, entry in index.items():
            if not isinstance(entry, dict):
                continue
            try:
                _merge_index_entry(
                    merged.setdefault(key, {"captured": 0, "skipped": 0, "pickles": [], "shapes": {}}), entry
                )
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
    return merged


def _merge_index_entry(into: dict[str, Any], entry: Mapping[str, Any]) -> None:
    into["captured"] += int(entry.get("captured", 0))
    into["skipped"] += int(entry.get("skipped", 0))
    if isinstance(entry.get("pickle"), str):
        into["pickles"].append(f"{CAPTURE_DIR}/{entry['pickle']}")
    for parameter in entry.get("shapes", []):
        name, shape = str(parameter["name"]), parameter["shape"]
        known = into["shapes"].get(name)
        into["shapes"][name] = shape if known is None else merge(known, shape)
    result = entry.get("result_shape")
    if isinstance(result, dict):
        known = into.get("result_shape")
        into["result_shape"] = result if known is None else merge(known, result)


class _QualnameResolver:
    """Names profiled code by the qualname of the addressable function at its first line."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._by_file: dict[str, dict[tuple[int, str], FunctionInfo]] = {}

    def qualname(self, key: FunctionKey) -> str | None:
        path, line, name = key
        if path not in self._by_file:
            self._by_file[path] = self._outline(path)
        info = self._by_file[path].get((line, name))
        return info.qualname if info else None

    def _outline(self, path: str) -> dict[tuple[int, str], FunctionInfo]:
        try:
            infos = list_functions((self._root / path).read_text(encoding="utf-8"))
        except Exception:  # unreadable or unparsable: its functions stay unnamed
            return {}
        table: dict[tuple[int, str], FunctionInfo] = {}
        for info in infos:
            table[(info.start_line, info.name)] = info
            table[(info.def_line, info.name)] = info
        return table


def rank_from_profile(
    profile: WorkloadProfile, discovery: Discovery, drivers: Collection[str] = ()
) -> tuple[list[Target], list[tuple[ProfiledFunction, str]]]:
    """Profiled functions that can be targets, hottest first (score = addressable seconds), and
    the others with the reason each is not one. `drivers` are files the workload command runs
    (relative to the target): they drive the measurement, they are not code to optimize."""
    hot_files = {function.file for function in profile.functions}  # only these need an outline
    infos = {(f.path, i.qualname): i for f in discovery.files if f.path in hot_files for i in f.functions}
    targets: list[Target] = []
    left_out: list[tuple[ProfiledFunction, str]] = []
    for function in profile.functions:
        info = infos.get((function.file, function.qualname))
        reason = _not_a_target(function, info, drivers)
        if reason is not None or info is None:
            left_out.append((function, reason or "not found by discovery"))
            continue
        targets.append(
            Target(
                function.file,
                function.qualname,
                info.kind,
                info.start_line,
                info.end_line,
                function.addressable_s,
            )
        )
    return targets, left_out


def _not_a_target(
    function: ProfiledFunction, info: FunctionInfo | None, drivers: Collection[str]
) -> str | None:
    if function.file in drivers:
        return "in the workload's own script (it drives the measurement)"
    if is_test_or_setup_file(function.file):
        return "in a test or setup file"
    if info is None:
        return "its file was skipped by discovery (see skipped files) or it is not a plain function"
    if info.is_async:
        return "async functions are not optimized yet"
    if function.qualname == "main":
        return "a program entry point (main)"
    return None
