"""JSON forms of what a service job keeps between worker tasks: planned targets and their results.

Paths inside a plan are stored relative to the job's source root, because the worker that runs a
target may have unpacked the job somewhere else than the worker that prepared it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from optiagent.domain.report import TargetReport, TargetStatus
from optiagent.domain.targets import Target, TargetKind
from optiagent.services.target_run import TargetJob
from optiagent.verify.jobs import Evidence

ROOT = "$ROOT"


def _relative(path: str | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return f"{ROOT}/{Path(path).relative_to(root).as_posix()}".rstrip("/")
    except ValueError:
        return path  # outside the job (an interpreter on PATH): kept as is


def _absolute(path: str | None, root: Path) -> str | None:
    if path is None or not path.startswith(ROOT):
        return path
    return str(root / path.removeprefix(ROOT).lstrip("/"))


def encode_target_job(job: TargetJob, min_speedup: float, root: Path) -> dict[str, Any]:
    evidence = job.evidence
    return {
        "run_id": job.run_id,
        "repo": job.repo,
        "report_file": job.report_file,
        "target": asdict(job.target) | {"kind": job.target.kind.value},
        "source": job.source,
        "source_hash": job.source_hash,
        "target_id": job.target_id,
        "min_speedup": min_speedup,
        "evidence": {
            "root": _relative(evidence.root, root),
            "base_dir": evidence.base_dir,
            "module_name": evidence.module_name,
            "captures": {k: base64.b64encode(v).decode() for k, v in evidence.captures.items()},
            "shapes": dict(evidence.shapes),
            "examples": [list(pair) for pair in evidence.examples],
            "stdin_cases": [_relative(case, root) for case in evidence.stdin_cases],
            "python": _relative(evidence.python, root),
            "readonly": [_relative(path, root) for path in evidence.readonly],
        },
    }


def decode_target_job(data: Mapping[str, Any], root: Path) -> tuple[TargetJob, float]:
    raw = data["evidence"]
    evidence = Evidence(
        root=_absolute(raw["root"], root) or str(root),
        base_dir=raw["base_dir"],
        module_name=raw["module_name"],
        captures={k: base64.b64decode(v) for k, v in raw["captures"].items()},
        shapes=raw["shapes"],
        examples=tuple((str(a), str(b)) for a, b in raw["examples"]),
        stdin_cases=tuple(str(_absolute(case, root)) for case in raw["stdin_cases"]),
        python=_absolute(raw["python"], root),
        # only paths inside the job's own tree: a plan never widens what a sandbox can see
        readonly=tuple(str(_absolute(p, root)) for p in raw.get("readonly", []) if str(p).startswith(ROOT)),
    )
    target_fields = dict(data["target"])
    target = Target(**(target_fields | {"kind": TargetKind(target_fields["kind"])}))
    job = TargetJob(
        run_id=data["run_id"],
        repo=data["repo"],
        report_file=data["report_file"],
        target=target,
        source=data["source"],
        source_hash=data["source_hash"],
        evidence=evidence,
        target_id=data["target_id"],
    )
    return job, float(data["min_speedup"])


def encode_target_report(report: TargetReport) -> dict[str, Any]:
    return asdict(report) | {"status": report.status.value, "ci": list(report.ci) if report.ci else None}


def decode_target_report(data: Mapping[str, Any]) -> TargetReport:
    fields = dict(data)
    ci = fields.pop("ci", None)
    report = TargetReport(**(fields | {"status": TargetStatus(fields["status"])}))
    return replace(report, ci=(float(ci[0]), float(ci[1])) if ci else None)
