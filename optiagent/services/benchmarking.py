"""Paired, interleaved benchmark of original vs candidate, each sample in a fresh sandboxed process."""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from optiagent.domain.measurement import Measurement, summarize_pairs
from optiagent.domain.targets import Target
from optiagent.ports.sandbox import Sandbox, SandboxLimits, SandboxStatus
from optiagent.verify.jobs import RESULT_FILE, Evidence, timing_job


class BenchmarkFailed(Exception):
    """A timing sample could not be taken (the code crashed or hung while being timed)."""


@dataclass(frozen=True)
class BenchmarkSettings:
    look_every: int = 6  # pairs between looks at the data
    max_pairs: int = 18
    # A candidate whose single in-process timing (taken by the check job) is below this is not
    # benchmarked at all: a hint may only spare work on losers, never accept anything.
    prescreen_floor: float = 0.85
    interim_confidence: float = 0.995  # stricter at interim looks: optional stopping must not inflate accepts
    # Run the two halves of a pair at the same time on two cores: both see the same machine load,
    # which pairs them more tightly than running them one after the other, in half the wall time.
    concurrent_pairs: bool = True
    min_sample_s: float = 0.03
    limits: SandboxLimits = field(default_factory=lambda: SandboxLimits(timeout_s=60.0))


def _sample(
    sandbox: Sandbox,
    target: Target,
    evidence: Evidence,
    source: str | None,
    inputs: bytes,
    repeats: int | None,
    settings: BenchmarkSettings,
    copy_inputs: bool,
) -> tuple[float, int]:
    job = timing_job(
        target, evidence, source, inputs, repeats, settings.limits, settings.min_sample_s, copy_inputs
    )
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
    copy_inputs: bool = True,
    original_hint_s: float | None = None,
) -> Measurement:
    """Interleave O,C / C,O pairs, looking every `look_every` pairs.

    An interim look accepts only on the stricter interval and rejects when even the 95% interval
    lies below the bar; the final look decides on the 95% interval.
    """
    settings = settings or BenchmarkSettings()
    if original_hint_s:  # the check job already timed one pass: no calibration sample needed
        repeats = max(1, math.ceil(settings.min_sample_s / original_hint_s))
    else:
        _, repeats = _sample(sandbox, target, evidence, None, bench_inputs, None, settings, copy_inputs)
    original: list[float] = []
    candidate: list[float] = []

    def sample(source: str | None) -> float:
        return _sample(sandbox, target, evidence, source, bench_inputs, repeats, settings, copy_inputs)[0]

    pool = ThreadPoolExecutor(max_workers=2) if settings.concurrent_pairs else None
    try:
        for pair in range(settings.max_pairs):
            order = (None, candidate_source) if pair % 2 == 0 else (candidate_source, None)
            if pool is not None:
                first, second = pool.map(sample, order)
            else:
                first, second = sample(order[0]), sample(order[1])
            o_time, c_time = (first, second) if order[0] is None else (second, first)
            original.append(o_time)
            candidate.append(c_time)
            done = pair + 1
            if done % settings.look_every == 0 and done < settings.max_pairs:
                strict = summarize_pairs(original, candidate, confidence=settings.interim_confidence)
                if strict.ci_low >= min_speedup:
                    return summarize_pairs(original, candidate)
                usual = summarize_pairs(original, candidate)
                # Futility: the final lower bound cannot exceed the median, so a median below the
                # bar at an interim look is (all but) certain rejection; stop spending on it.
                if usual.ci_high < min_speedup or usual.speedup < min_speedup:
                    return usual
    finally:
        if pool is not None:
            pool.shutdown()
    return summarize_pairs(original, candidate)
