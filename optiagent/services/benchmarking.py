"""Paired, interleaved benchmark of original vs candidate, each sample in a fresh sandboxed process."""

from __future__ import annotations

import json
from dataclasses import dataclass

from optiagent.domain.measurement import Measurement, summarize_pairs
from optiagent.domain.targets import Target
from optiagent.ports.sandbox import Sandbox, SandboxLimits, SandboxStatus
from optiagent.verify.jobs import RESULT_FILE, Evidence, timing_job


class BenchmarkFailed(Exception):
    """A timing sample could not be taken (the code crashed or hung while being timed)."""


@dataclass(frozen=True)
class BenchmarkSettings:
    min_pairs: int = 10
    max_pairs: int = 30
    min_sample_s: float = 0.02
    limits: SandboxLimits = SandboxLimits(timeout_s=60.0)


def _sample(
    sandbox: Sandbox,
    target: Target,
    evidence: Evidence,
    source: str | None,
    inputs: bytes,
    repeats: int | None,
    settings: BenchmarkSettings,
) -> tuple[float, int]:
    job = timing_job(target, evidence, source, inputs, repeats, settings.limits, settings.min_sample_s)
    result = sandbox.run(job)
    raw = result.files.get(RESULT_FILE)
    if result.status is not SandboxStatus.OK or raw is None:
        detail = result.stderr.decode("utf-8", "replace")[-300:]
        raise BenchmarkFailed(f"timing sample failed ({result.status.value}): {detail}")
    data = json.loads(raw)
    if "seconds" not in data:
        raise BenchmarkFailed(f"timing sample failed: {data.get('detail', 'no timing')}")
    return float(data["seconds"]), int(data["repeats"])


def measure_speedup(
    sandbox: Sandbox,
    target: Target,
    evidence: Evidence,
    candidate_source: str,
    bench_inputs: bytes,
    min_speedup: float,
    settings: BenchmarkSettings | None = None,
) -> Measurement:
    """Interleave O,C / C,O pairs; stop early once the interval is clearly above or below the bar."""
    settings = settings or BenchmarkSettings()
    _, repeats = _sample(sandbox, target, evidence, None, bench_inputs, None, settings)
    original: list[float] = []
    candidate: list[float] = []
    for pair in range(settings.max_pairs):
        order = (None, candidate_source) if pair % 2 == 0 else (candidate_source, None)
        for source in order:
            seconds, _ = _sample(sandbox, target, evidence, source, bench_inputs, repeats, settings)
            (original if source is None else candidate).append(seconds)
        if len(original) >= settings.min_pairs:
            measurement = summarize_pairs(original, candidate)
            if measurement.ci_low >= min_speedup or measurement.ci_high < min_speedup:
                return measurement
    return summarize_pairs(original, candidate)
