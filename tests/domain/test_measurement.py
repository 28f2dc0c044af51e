"""Benchmark statistics: the paired median ratio, its exact intervals and the sequential acceptance rule."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from optiagent.domain.measurement import (
    ACCEPT_ALPHA,
    Accepted,
    Rejected,
    decide,
    lower_rank,
    median_interval,
    plan_looks,
    should_stop,
    sign_test_tail,
    summarize_pairs,
)

times = st.lists(st.floats(min_value=1e-4, max_value=1.0), min_size=4, max_size=30)
factors = st.floats(min_value=0.2, max_value=5.0)
BAR = 1.05
DEFAULT_LOOKS = (6, 8, 12, 18)


def _binomial_cdf(n: int, k: int) -> float:
    """P(Bin(n, 1/2) <= k), written out independently of the module under test."""
    return sum(math.comb(n, i) for i in range(k + 1)) / (1 << n)


def _pairs(ratios: list[float]) -> tuple[list[float], list[float]]:
    return [1.0] * len(ratios), [1.0 / r for r in ratios]


def _signed_ratios(signs: tuple[bool, ...], median: float) -> list[float]:
    """Distinct ratios above (True) or below (False) `median`, in the given order."""
    return [median * (1.01 + 0.001 * i if up else 0.99 - 0.001 * i) for i, up in enumerate(signs)]


@given(times)
def test_identical_samples_give_speedup_one(samples: list[float]) -> None:
    """A/A with identical timings is exactly 1.0 and is rejected at the default bar and at 1.0."""
    measurement = summarize_pairs(samples, samples)
    assert measurement.speedup == 1.0 and measurement.ci_low == 1.0
    assert isinstance(decide(measurement, BAR), Rejected)
    assert isinstance(decide(measurement, 1.0), Rejected)


@given(st.lists(st.floats(min_value=1e-4, max_value=1.0), min_size=6, max_size=30), st.floats(1.5, 50))
def test_uniformly_faster_candidate_is_accepted(samples: list[float], factor: float) -> None:
    """From 6 pairs on, a candidate faster by a constant factor on every pair is accepted with that speedup."""
    measurement = summarize_pairs(samples, [s / factor for s in samples])
    assert abs(measurement.speedup - factor) < 1e-6 * factor
    assert isinstance(decide(measurement, BAR), Accepted)


def test_too_few_pairs_never_accept() -> None:
    """Below 6 pairs no 97.5% lower bound exists, so even five 10x ratios are not accepted."""
    measurement = summarize_pairs(*_pairs([10.0] * 5))
    assert measurement.accept_low == 0.0
    assert isinstance(decide(measurement, BAR), Rejected)


def test_noisy_pairs_around_one_are_rejected() -> None:
    """Alternating +/-10% noise around equal speed does not pass a 1.05 bar."""
    original = [1.0, 1.1, 0.9, 1.0, 1.1, 0.9, 1.0, 1.1, 0.9, 1.0]
    candidate = [1.1, 0.9, 1.0, 0.9, 1.0, 1.1, 1.0, 0.9, 1.1, 1.0]
    assert isinstance(decide(summarize_pairs(original, candidate), BAR), Rejected)


@pytest.mark.parametrize("n", range(1, 41))
def test_lower_rank_is_the_largest_exact_bound(n: int) -> None:
    """r_(j) misses the median above with probability P(Bin <= j-1) <= alpha, and j+1 would exceed it."""
    rank = lower_rank(n, ACCEPT_ALPHA)
    if rank is None:
        assert _binomial_cdf(n, 0) > ACCEPT_ALPHA
    else:
        assert _binomial_cdf(n, rank - 1) <= ACCEPT_ALPHA
        assert rank == n or _binomial_cdf(n, rank) > ACCEPT_ALPHA


def test_sign_test_tail_matches_the_binomial() -> None:
    """P(Bin(n,1/2) >= k) agrees with the binomial sum at every n <= 30 and k."""
    for n in range(31):
        for k in range(n + 2):
            assert sign_test_tail(n, k) == pytest.approx(1.0 - _binomial_cdf(n, k - 1) if k > 0 else 1.0)


@pytest.mark.parametrize("n", range(1, 15))
def test_interval_coverage_by_enumerating_every_sign_pattern(n: int) -> None:
    """Over all 2**n above/below patterns (equally likely at the true median), the 95% interval misses
    the median exactly as often as the binomial says, at most 5% once an interval exists (n >= 6)."""
    median = 1.3
    misses_below = misses_above = 0
    for signs in itertools.product((True, False), repeat=n):
        low, high = median_interval(_signed_ratios(signs, median))
        misses_below += low > median
        misses_above += high < median
    rank = lower_rank(n, 0.025) or 1
    assert misses_below / 2**n == pytest.approx(_binomial_cdf(n, rank - 1))
    assert misses_above == misses_below
    if n >= 6:
        assert (misses_below + misses_above) / 2**n <= 0.05


@pytest.mark.parametrize("looks", [(6, 8, 12), (6, 12), (8, 12), (4, 6, 10), (9,)])
def test_sequential_procedure_error_by_enumeration(looks: tuple[int, ...]) -> None:
    """Running should_stop/decide over all 2**n sign sequences at a true median equal to the bar
    accepts with exactly the plan's error (futility off) and never more than alpha (futility on)."""
    plan = plan_looks(looks)
    n = plan.max_pairs
    accepted = {True: 0, False: 0}
    for futility in (True, False):
        for signs in itertools.product((True, False), repeat=n):
            ratios = _signed_ratios(signs, BAR)
            for pairs in plan.looks:
                measurement = summarize_pairs(*_pairs(ratios[:pairs]), plan=plan)
                stop = should_stop(measurement, plan, BAR) if futility else measurement.accept_low > BAR
                if stop or pairs == n:
                    accepted[futility] += isinstance(decide(measurement, BAR), Accepted)
                    break
    assert accepted[False] / 2**n == pytest.approx(plan.error)
    assert accepted[True] <= accepted[False]
    assert plan.error <= ACCEPT_ALPHA


def test_default_plan_accepts_from_8_pairs() -> None:
    """The default looks: 6 pairs can only stop for futility, 8 of 8, 11 of 12, 14 of 18 above the bar accept."""
    plan = plan_looks(DEFAULT_LOOKS)
    assert plan.ranks == (None, 1, 2, 5)
    assert plan.error == pytest.approx(0.018547, abs=1e-6)


@given(
    st.lists(st.integers(1, 40), min_size=1, max_size=6, unique=True).map(lambda xs: tuple(sorted(xs))),
    st.floats(min_value=0.001, max_value=0.2),
)
def test_plan_error_never_exceeds_alpha(looks: tuple[int, ...], alpha: float) -> None:
    """For any look schedule and budget, the exact error is within alpha and every accepting bound is
    at or below the median (so futility, a median below the bar, can only reject)."""
    plan = plan_looks(looks, alpha)
    assert plan.error <= alpha * (1 + 1e-12)
    for pairs, rank in zip(plan.looks, plan.ranks, strict=True):
        assert rank is None or rank <= (pairs + 1) // 2


@given(st.lists(st.floats(min_value=0.1, max_value=10.0), min_size=1, max_size=30), st.randoms())
def test_summary_is_invariant_under_permuting_pairs(ratios: list[float], rng: random.Random) -> None:
    """Reordering the pairs changes neither the speedup, the interval, nor the accepting bound."""
    shuffled = list(ratios)
    rng.shuffle(shuffled)
    a, b = summarize_pairs(*_pairs(ratios)), summarize_pairs(*_pairs(shuffled))
    assert (a.speedup, a.ci_low, a.ci_high, a.accept_low) == (b.speedup, b.ci_low, b.ci_high, b.accept_low)


@given(
    st.lists(st.floats(min_value=0.1, max_value=10.0), min_size=6, max_size=18),
    st.data(),
)
def test_faster_pairs_never_lower_the_summary(ratios: list[float], data: st.DataObject) -> None:
    """Making any pairs' candidate faster never lowers speedup, interval or bound, nor turns accept into reject."""
    boosts = data.draw(st.lists(st.floats(1.0, 3.0), min_size=len(ratios), max_size=len(ratios)))
    before = summarize_pairs(*_pairs(ratios))
    after = summarize_pairs(*_pairs([r * b for r, b in zip(ratios, boosts, strict=True)]))
    tolerance = 1e-9
    assert after.speedup >= before.speedup * (1 - tolerance)
    assert after.ci_low >= before.ci_low * (1 - tolerance)
    assert after.ci_high >= before.ci_high * (1 - tolerance)
    assert after.accept_low >= before.accept_low * (1 - tolerance)
    if isinstance(decide(before, BAR), Accepted):
        assert after.accept_low >= before.accept_low > BAR


@given(st.lists(st.floats(min_value=0.1, max_value=10.0), min_size=1, max_size=30))
def test_summary_is_deterministic(ratios: list[float]) -> None:
    """The same pairs always give the same measurement (no resampling, no seed)."""
    assert summarize_pairs(*_pairs(ratios)) == summarize_pairs(*_pairs(ratios))


@given(st.lists(st.floats(min_value=0.1, max_value=10.0), min_size=18, max_size=18), factors)
def test_futility_stop_only_rejects(ratios: list[float], bar: float) -> None:
    """At every default look, a median below the bar stops the run and the measurement is rejected."""
    plan = plan_looks(DEFAULT_LOOKS)
    for pairs in plan.looks:
        measurement = summarize_pairs(*_pairs(ratios[:pairs]), plan=plan)
        if measurement.speedup < bar:
            assert should_stop(measurement, plan, bar)
            assert isinstance(decide(measurement, bar), Rejected)


@given(st.lists(st.floats(min_value=0.1, max_value=10.0), min_size=1, max_size=30))
def test_reported_interval_holds_the_median_and_the_bound_is_below(ratios: list[float]) -> None:
    """ci_low <= speedup <= ci_high, and the accepting bound never exceeds the reported lower end."""
    measurement = summarize_pairs(*_pairs(ratios))
    assert measurement.ci_low <= measurement.speedup <= measurement.ci_high
    assert measurement.accept_low <= measurement.ci_low


@given(st.lists(st.floats(min_value=0.1, max_value=10.0), min_size=18, max_size=18))
def test_every_look_bound_is_below_the_reported_interval(ratios: list[float]) -> None:
    """An accepted candidate's reported 95% interval also clears the bar: look bounds are at least as strict."""
    plan = plan_looks(DEFAULT_LOOKS)
    for pairs in plan.looks:
        measurement = summarize_pairs(*_pairs(ratios[:pairs]), plan=plan)
        assert measurement.accept_low <= measurement.ci_low


def test_a_pair_count_off_the_plan_is_refused() -> None:
    """Summarizing 7 pairs against looks at 6, 8, 12, 18 is an error, not a silent fixed-sample bound."""
    with pytest.raises(ValueError, match="not a look"):
        summarize_pairs(*_pairs([2.0] * 7), plan=plan_looks(DEFAULT_LOOKS))
