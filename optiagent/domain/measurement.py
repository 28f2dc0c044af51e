"""Paired benchmark statistics: the median of per-pair ratios, exact intervals, the acceptance rule.

Every pair i gives a ratio r_i = original_i / candidate_i (>1: the candidate is faster). The
speedup is the median of the r_i. All intervals are distribution-free order-statistic intervals
for that median (the sign test): if the pairs are independent and each ratio exceeds the true
median with probability 1/2, the number of ratios above it is Binomial(n, 1/2), so the j-th
smallest ratio r_(j) lies above the median with probability P(Bin(n, 1/2) <= j - 1), exactly,
whatever the noise looks like (heavy tails, skew, outliers). No bootstrap, no normal
approximation: the levels hold at 6 pairs as at 600, and where no order statistic reaches a
level (a 97.5% lower bound needs 6 pairs, since 2**-5 > 2.5%) there is no bound at all.

Acceptance is a one-sided test of "median ratio <= bar" at `ACCEPT_ALPHA` (2.5%, the one-sided
half of a 95% interval), spent over the benchmark's looks by a `SequentialPlan`.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from optiagent.domain.samples import Machine, Pair

ACCEPT_ALPHA = 0.025  # one-sided false-acceptance budget at a true speedup equal to the bar
REPORT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Measurement:
    """Speedup of a candidate over the original (>1 is faster) and its intervals.

    `ci_low`/`ci_high` is the reported 95% interval: the exact order-statistic interval for the
    median ratio at the `samples` pairs taken (fixed-sample coverage, at least 95%; with fewer
    than 6 pairs none exists and it is the range of the ratios). `accept_low` is the lower bound
    `decide` compares with the bar: the look's sequential bound (see `SequentialPlan`), never
    above `ci_low`; 0.0 (no information) at a look that cannot accept. `pairs` are the raw
    samples behind the ratios, `machine` where they were taken (both empty for bare ratios).
    """

    speedup: float
    ci_low: float
    ci_high: float
    samples: int
    original_s: float  # median seconds per call of the original
    candidate_s: float
    accept_low: float
    ratios: tuple[float, ...] = ()
    pairs: tuple[Pair, ...] = ()
    machine: Machine | None = None


@dataclass(frozen=True)
class Accepted:
    measurement: Measurement


@dataclass(frozen=True)
class Rejected:
    reason: str


Decision = Accepted | Rejected


@cache
def _binomial_counts(n: int) -> tuple[int, ...]:
    return tuple(math.comb(n, k) for k in range(n + 1))


def sign_test_tail(n: int, k: int) -> float:
    """P(Bin(n, 1/2) >= k): the chance that k or more of n ratios exceed the true median."""
    k = max(k, 0)
    return sum(_binomial_counts(n)[k:]) / (1 << n)


@cache
def lower_rank(n: int, alpha: float) -> int | None:
    """Largest j with P(r_(j) > median) <= alpha for n ratios; None when even the minimum fails."""
    rank = None
    for j in range(1, n + 1):
        if sign_test_tail(n, n - j + 1) > alpha:  # P(Bin <= j-1) = P(Bin >= n-j+1) by symmetry
            break
        rank = j
    return rank


def median_interval(ratios: Sequence[float], confidence: float = REPORT_CONFIDENCE) -> tuple[float, float]:
    """Exact two-sided order-statistic interval [r_(j), r_(n+1-j)] for the median ratio.

    Covers the median with probability at least `confidence` whenever such j exists; otherwise
    (too few ratios) the range of the ratios, whose coverage 1 - 2**(1-n) is below `confidence`.
    """
    ordered = sorted(ratios)
    rank = lower_rank(len(ordered), (1.0 - confidence) / 2) or 1
    return ordered[rank - 1], ordered[-rank]


@dataclass(frozen=True)
class SequentialPlan:
    """Looks at the data (pair counts) and, at each, the order statistic that may accept.

    Built by `plan_looks`: a Lan-DeMets error-spending design with the Pocock-type spending
    function alpha * ln(1 + (e - 1) * t), t = pairs / last look, over the exact sign test.
    Why Pocock-type: a clear winner (every ratio above the bar, the common case for accepted
    rewrites) should stop at the first look where the data can show it, and the sign test is
    discrete, so an O'Brien-Fleming-type function, which spends almost nothing early, could
    accept nowhere but at the last look (2**-8 > its budget at 8 of 18 pairs), and an even
    Bonferroni split leaves the last look a 15-of-18 rule instead of 14-of-18. Each look's
    critical count is the smallest whose exact cumulative error (computed over all sign
    sequences at a median ratio equal to the bar) stays within the spent budget, so the whole
    procedure's error is `error` <= alpha. A look whose budget is below 2**-n cannot accept
    (rank None): it can only stop for futility. Futility stops are non-binding: they only
    remove paths to acceptance, so `error` bounds the procedure with them too.
    """

    looks: tuple[int, ...]
    ranks: tuple[int | None, ...]  # per look: j of the accepting lower bound r_(j), or None
    alpha: float
    error: float  # exact worst-case false-acceptance probability (true median ratio = bar)

    @property
    def max_pairs(self) -> int:
        return self.looks[-1]

    def rank_at(self, pairs: int) -> int | None:
        if pairs not in self.looks:
            raise ValueError(f"{pairs} pairs is not a look of {self.looks}")
        return self.ranks[self.looks.index(pairs)]


def _spent(alpha: float, fraction: float) -> float:
    return alpha * math.log(1.0 + (math.e - 1.0) * fraction)


@cache
def plan_looks(looks: tuple[int, ...], alpha: float = ACCEPT_ALPHA) -> SequentialPlan:
    """The exact group-sequential sign-test plan for these looks (see `SequentialPlan`)."""
    if not looks or list(looks) != sorted(set(looks)) or looks[0] < 1:
        raise ValueError(f"looks must be increasing positive pair counts, got {looks}")
    if not 0.0 < alpha < 0.5:
        raise ValueError(f"alpha must be in (0, 0.5), got {alpha}")
    # alive[s]: sign sequences so far, with s ratios above the bar, that no look has accepted.
    alive = [1]
    accepted_sequences = 0  # counted at the current length, scaled up as sequences grow
    taken = 0
    ranks: list[int | None] = []
    for pairs in looks:
        grow = pairs - taken
        grown = [0] * (pairs + 1)
        for s, count in enumerate(alive):
            for extra, ways in enumerate(_binomial_counts(grow)):
                grown[s + extra] += count * ways
        accepted_sequences <<= grow
        taken = pairs
        budget = _spent(alpha, pairs / looks[-1]) * 2**pairs
        critical = None
        for c in range(pairs, pairs // 2, -1):  # lower c accepts more; keep the lowest in budget
            if accepted_sequences + sum(grown[c:]) > budget:
                break
            critical = c
        if critical is None:
            ranks.append(None)
            alive = grown
        else:
            ranks.append(pairs - critical + 1)
            accepted_sequences += sum(grown[critical:])
            alive = grown[:critical]
    return SequentialPlan(looks, tuple(ranks), alpha, accepted_sequences / 2**taken)


def summarize_pairs(
    original: Sequence[float],
    candidate: Sequence[float],
    *,
    plan: SequentialPlan | None = None,
) -> Measurement:
    """Median of per-pair ratios original/candidate, its exact 95% interval and accepting bound.

    With a plan, the pair count must be one of its looks and `accept_low` is that look's bound;
    without, the data are taken as one fixed-size look and `accept_low` is the exact one-sided
    97.5% bound (the 95% interval's lower end).
    """
    if len(original) != len(candidate) or not original:
        raise ValueError("need the same, non-zero number of original and candidate samples")
    if min(candidate) <= 0 or min(original) <= 0:
        raise ValueError("timing samples must be positive")
    ratios = tuple(o / c for o, c in zip(original, candidate, strict=True))
    n = len(ratios)
    ordered = sorted(ratios)
    rank = lower_rank(n, ACCEPT_ALPHA) if plan is None else plan.rank_at(n)
    low, high = median_interval(ordered)
    return Measurement(
        speedup=statistics.median(ordered),
        ci_low=low,
        ci_high=high,
        samples=n,
        original_s=statistics.median(original),
        candidate_s=statistics.median(candidate),
        accept_low=0.0 if rank is None else ordered[rank - 1],
        ratios=ratios,
    )


def summarize_samples(
    pairs: Sequence[Pair], *, plan: SequentialPlan | None = None, machine: Machine | None = None
) -> Measurement:
    """`summarize_pairs` over each pair's times by its own clock (samples.py), samples kept."""
    measurement = summarize_pairs(
        [pair.original_s for pair in pairs], [pair.candidate_s for pair in pairs], plan=plan
    )
    return dataclasses.replace(measurement, pairs=tuple(pairs), machine=machine)


def should_stop(measurement: Measurement, plan: SequentialPlan, min_speedup: float) -> bool:
    """At a look: stop to accept, stop for futility (median below the bar), or at the last look.

    Futility can only reject: the accepting bound r_(j) has j <= n/2, so it is at most the
    median, and a median below the bar leaves it below the bar too.
    """
    return (
        measurement.accept_low > min_speedup
        or measurement.speedup < min_speedup
        or measurement.samples >= plan.max_pairs
    )


def decide(measurement: Measurement, min_speedup: float) -> Decision:
    """Accept only when the accepting lower bound is above the bar: noise must not pass as speed.

    Strictly above: a ratio equal to the bar is not evidence of clearing it (ties would
    otherwise let an A/A pair with identical timings pass a bar of 1.0).
    """
    if measurement.accept_low > min_speedup:
        return Accepted(measurement)
    if measurement.accept_low == 0.0:
        return Rejected(
            f"no acceptance at {measurement.samples} pairs (median {measurement.speedup:.3f},"
            f" required above {min_speedup:.3f})"
        )
    return Rejected(
        f"lower bound {measurement.accept_low:.3f} not above required {min_speedup:.3f}"
        f" (speedup {measurement.speedup:.3f}, {measurement.samples} pairs)"
    )


def geometric_mean(values: Sequence[float]) -> float | None:
    positive = [v for v in values if v > 0]
    return statistics.geometric_mean(positive) if positive else None
