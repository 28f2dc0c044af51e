"""Sandbox jobs for the harness modes: check (differential), time (one sample), program."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from optiagent.domain.targets import Target
from optiagent.ports.sandbox import SandboxJob, SandboxLimits

CANDIDATE_FILE = "candidate.py"
RESULT_FILE = "result.json"
BENCH_INPUTS_FILE = "bench_inputs.pkl"


@dataclass(frozen=True)
class Evidence:
    """What a target's checks run on, gathered once per target and shared by its candidates."""

    root: str  # absolute project root, visible read-only to the box
    base_dir: str  # import root relative to `root`
    module_name: str
    captures: Mapping[str, bytes] = field(default_factory=dict)  # opaque pickles from the workload
    shapes: Mapping[str, Any] = field(default_factory=dict)  # parameter name -> shape descriptor
    examples: Sequence[tuple[str, str]] = ()
    stdin_cases: Sequence[str] = ()  # absolute paths, for program targets
    python: str | None = None
    # also visible read-only: the enclosing tree (the target's package may import from beside it)
    readonly: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckSettings:
    max_examples: int = 100
    stress: bool = True
    stress_low_s: float = 0.05
    stress_high_s: float = 0.5
    stress_max_factor: int = 4096
    stress_budget_s: float = 10.0
    call_timeout_s: float = 5.0
    generated_call_timeout_s: float = 0.5
    parallel: int = 2  # candidates checked at once inside the job
    functional_hashing: bool = True  # one full check per class of equal behavioural fingerprints
    budget_s: float = 20.0  # soft, for the original's warm pass: generated and stress inputs stop
    candidate_budget_s: float = 8.0  # soft, per candidate (the original's outcomes are cached)
    # The original's own text checked as one more candidate of itself first: if it is not
    # equivalent, the oracle is broken and no candidate is judged (check.py).
    self_check: bool = False
    limits: SandboxLimits = field(default_factory=lambda: SandboxLimits(timeout_s=120.0))


def _absolute(evidence: Evidence, relative: str) -> str:
    return str(PurePosixPath(evidence.root) / relative)


def candidate_file(index: int) -> str:
    return f"candidate-{index}.py"


def check_job(
    target: Target,
    evidence: Evidence,
    candidate_sources: Sequence[str],
    settings: CheckSettings,
    verified: Sequence[int] = (),
) -> SandboxJob:
    """One job checks every candidate of a target, so the original's work is done once.

    `verified` are indices of candidates already known equivalent on this input set (the verdict
    cache): the job only times them.
    """
    names = [candidate_file(i) for i in range(len(candidate_sources))]
    files = {name: text.encode() for name, text in zip(names, candidate_sources, strict=True)}
    if target.qualname == "<program>":
        spec: dict[str, Any] = {
            "original_file": _absolute(evidence, target.file),
            "candidate_files": names,
            "stdin_files": list(evidence.stdin_cases),
            "call_timeout_s": max(settings.call_timeout_s, 10.0),
            "parallel": settings.parallel,
        }
        mode = "program"
    else:
        files.update({f"capture/{name}": data for name, data in evidence.captures.items()})
        spec = {
            "base_dir": _absolute(evidence, evidence.base_dir),
            "module_name": evidence.module_name,
            "original_file": _absolute(evidence, target.file),
            "candidate_files": names,
            "qualname": target.qualname,
            "captures": [f"capture/{name}" for name in evidence.captures if name.endswith(".pkl")],
            "params": dict(evidence.shapes),
            "examples": [list(example) for example in evidence.examples],
            "hypothesis": {
                "max_examples": settings.max_examples,
                "call_timeout_s": settings.generated_call_timeout_s,
            },
            "stress": {
                "enabled": settings.stress,
                "low_s": settings.stress_low_s,
                "high_s": settings.stress_high_s,
                "max_factor": settings.stress_max_factor,
                "budget_s": settings.stress_budget_s,
            },
            "call_timeout_s": settings.call_timeout_s,
            "budget_s": settings.budget_s,
            "candidate_budget_s": settings.candidate_budget_s,
            "bench_inputs_out": BENCH_INPUTS_FILE,
            "parallel": settings.parallel,
            "functional_hashing": settings.functional_hashing,
            "verified": list(verified),
            "self_check": settings.self_check,
        }
        mode = "check"
    files["job.json"] = json.dumps(spec).encode()
    return SandboxJob(
        argv=("{python}", "-m", "optiagent_harness", mode, "job.json", RESULT_FILE),
        files=files,
        python=evidence.python,
        readonly_paths=(evidence.root, *evidence.readonly),
        collect=(RESULT_FILE, BENCH_INPUTS_FILE),
        limits=dataclasses.replace(
            settings.limits,
            timeout_s=settings.limits.timeout_s
            + settings.candidate_budget_s * 3 * (len(names) + settings.self_check) / settings.parallel,
        ),
    )


def timing_job(
    target: Target,
    evidence: Evidence,
    candidate_source: str | None,
    bench_inputs: bytes,
    repeats: int | None,
    limits: SandboxLimits,
    min_sample_s: float = 0.01,
    copy_inputs: bool = True,
    warmup_s: float = 0.0,
    cpu_slot: int | None = None,
) -> SandboxJob:
    """One timing sample (harness/timing.py): untimed warm-up passes for `warmup_s`, then the
    timed ones, the process pinned to CPU slot `cpu_slot` (None: not pinned)."""
    files: dict[str, bytes] = {}
    if target.qualname == "<program>":
        script = _absolute(evidence, target.file)
        if candidate_source is not None:
            files[CANDIDATE_FILE] = candidate_source.encode()
            script = CANDIDATE_FILE
        spec: dict[str, Any] = {
            "kind": "program",
            "script_file": script,
            "stdin_files": list(evidence.stdin_cases),
            "repeats": repeats or 1,
            "cpu_slot": cpu_slot,
        }
    else:
        files["inputs.pkl"] = bench_inputs
        spec = {
            "base_dir": _absolute(evidence, evidence.base_dir),
            "module_name": evidence.module_name,
            "original_file": _absolute(evidence, target.file),
            "qualname": target.qualname,
            "inputs_file": "inputs.pkl",
            "repeats": repeats,
            "min_sample_s": min_sample_s,
            "copy_inputs": copy_inputs,
            "warmup_s": warmup_s,
            "cpu_slot": cpu_slot,
        }
        if candidate_source is not None:
            files[CANDIDATE_FILE] = candidate_source.encode()
            spec["candidate_file"] = CANDIDATE_FILE
    files["job.json"] = json.dumps(spec).encode()
    return SandboxJob(
        argv=("{python}", "-m", "optiagent_harness", "time", "job.json", RESULT_FILE),
        files=files,
        python=evidence.python,
        readonly_paths=(evidence.root, *evidence.readonly),
        collect=(RESULT_FILE,),
        limits=limits,
    )
