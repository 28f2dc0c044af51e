"""Paired benchmark statistics: speedup as the median of per-pair ratios, bootstrap interval."""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    """Speedup of a candidate over the original (>1 is faster), with a 95% interval."""

    speedup: float
    ci_low: float
    ci_high: float
    samples: int
    original_s: float  # median seconds per call of the original
    candidate_s: float


@dataclass(frozen=True)
class Accepted:
    measurement: Measurement


@dataclass(frozen=True)
class Rejected:
    reason: str


Decision = Accepted | Rejected


def summarize_pairs(
    original: Sequence[float],
    candidate: Sequence[float],
    *,
    resamples: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
) -> Measurement:
    """Median of per-pair ratios original/candidate with a percentile bootstrap over pairs."""
    if len(original) != len(candidate) or not original:
        raise ValueError("need the same, non-zero number of original and candidate samples")
    ratios = [o / c for o, c in zip(original, candidate, strict=True) if c > 0]
    if not ratios:
        raise ValueError("candidate samples must be positive")
    rng = random.Random(seed)
    n = len(ratios)
    medians = sorted(statistics.median(rng.choices(ratios, k=n)) for _ in range(resamples))
    tail = (1.0 - confidence) / 2
    low = medians[int(tail * (resamples - 1))]
    high = medians[int((1.0 - tail) * (resamples - 1))]
    return Measurement(
        speedup=statistics.median(ratios),
        ci_low=low,
        ci_high=high,
        samples=n,
        original_s=statistics.median(original),
        candidate_s=statistics.median(candidate),
    )


def decide(measurement: Measurement, min_speedup: float) -> Decision:
    """Accept only when the whole interval clears the bar: noise must not pass as speed."""
    if measurement.ci_low >= min_speedup:
        return Accepted(measurement)
    return Rejected(
        f"interval lower bound {measurement.ci_low:.3f} below required {min_speedup:.3f}"
        f" (speedup {measurement.speedup:.3f})"
    )


def geometric_mean(values: Sequence[float]) -> float | None:
    positive = [v for v in values if v > 0]
    return statistics.geometric_mean(positive) if positive else None
