"""Sandbox jobs that run programs on call expressions (harness `probe` module) and read the result."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePosixPath

from optiagent.ports.generator import CallResult
from optiagent.ports.sandbox import SandboxJob, SandboxLimits, SandboxResult
from optiagent.verify.jobs import RESULT_FILE, Evidence


def probe_job(
    evidence: Evidence,
    programs: Sequence[str],
    calls: Sequence[str],
    call_timeout_s: float = 1.0,
    limits: SandboxLimits | None = None,
) -> SandboxJob:
    """Every program (a module text) runs every call; the project's import root is on sys.path."""
    spec = {
        "programs": list(programs),
        "calls": list(calls),
        "sys_path": [str(PurePosixPath(evidence.root) / evidence.base_dir)],
        "call_timeout_s": call_timeout_s,
    }
    timeout = 10.0 + len(programs) * (2.0 + call_timeout_s * len(calls))
    return SandboxJob(
        argv=("{python}", "-m", "optiagent_harness.probe", "job.json", RESULT_FILE),
        files={"job.json": json.dumps(spec).encode()},
        python=evidence.python,
        readonly_paths=(evidence.root,),
        collect=(RESULT_FILE,),
        limits=limits or SandboxLimits(timeout_s=timeout),
    )


def read_probe(result: SandboxResult, programs: int, calls: int) -> list[list[CallResult]]:
    """One row of call results per program; a program that could not run gets failed calls."""
    raw = result.files.get(RESULT_FILE)
    failed_all = [[CallResult(None, f"probe failed: {result.status.value}", 0.0)] * calls] * programs
    if raw is None:
        return failed_all
    try:
        data = json.loads(raw)
        rows: list[list[CallResult]] = []
        for entry in data["programs"]:
            if entry.get("calls") is None:
                rows.append([CallResult(None, str(entry.get("error", "")), 0.0)] * calls)
                continue
            rows.append(
                [
                    CallResult(c.get("output"), str(c.get("error", "")), float(c.get("seconds", 0.0)))
                    for c in entry["calls"]
                ]
            )
    except (ValueError, KeyError, TypeError):
        return failed_all
    return rows if len(rows) == programs else failed_all
