"""Benchmark statistics: the paired median ratio, its bootstrap interval and the acceptance rule."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from optiagent.domain.measurement import Accepted, Rejected, decide, summarize_pairs

times = st.lists(st.floats(min_value=1e-4, max_value=1.0), min_size=4, max_size=30)


@given(times)
def test_identical_samples_give_speedup_one(samples: list[float]) -> None:
    """A/A with identical timings is exactly 1.0 and is rejected at the default bar."""
    measurement = summarize_pairs(samples, samples)
    assert measurement.speedup == 1.0 and measurement.ci_low == 1.0
    assert isinstance(decide(measurement, 1.05), Rejected)


@given(times, st.floats(min_value=1.5, max_value=50))
def test_uniformly_faster_candidate_is_accepted(samples: list[float], factor: float) -> None:
    """A candidate faster by a constant factor on every pair is accepted with that speedup."""
    measurement = summarize_pairs(samples, [s / factor for s in samples])
    assert abs(measurement.speedup - factor) < 1e-6 * factor
    assert isinstance(decide(measurement, 1.05), Accepted)


def test_interval_contains_the_median_and_narrows_with_confidence() -> None:
    """The 99% interval contains the 95% one, which contains the point estimate."""
    original = [1.0 + 0.05 * (i % 7) for i in range(24)]
    candidate = [0.8 + 0.04 * ((i * 3) % 5) for i in range(24)]
    usual = summarize_pairs(original, candidate)
    strict = summarize_pairs(original, candidate, confidence=0.99)
    assert strict.ci_low <= usual.ci_low <= usual.speedup <= usual.ci_high <= strict.ci_high


def test_noisy_pairs_around_one_are_rejected() -> None:
    """Alternating +/-10% noise around equal speed does not pass a 1.05 bar."""
    original = [1.0, 1.1, 0.9, 1.0, 1.1, 0.9, 1.0, 1.1, 0.9, 1.0]
    candidate = [1.1, 0.9, 1.0, 0.9, 1.0, 1.1, 1.0, 0.9, 1.1, 1.0]
    assert isinstance(decide(summarize_pairs(original, candidate), 1.05), Rejected)
