"""B4 (section 3.5): MAP over (program correct, test correct) under four Beta-Bernoulli priors.

Under the model every correct program passes exactly the correct tests, so each hypothesis with
non-zero likelihood is "x = the programs whose row is r, y = r" for some distinct row r; B4
scores one hypothesis per distinct row. Multiplicities are ignored: B4 scores the matrix's
rows and columns as given (the B4 protocol de-duplicates them first).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from math import lgamma

from optiagent.domain.selection.matrix import (
    PassMatrix,
    RankedGroup,
    Ranking,
    Row,
    group_identical_rows,
    sort_groups,
)


def log_beta(a: float, b: float) -> float:
    """Natural log of the Beta function B(a, b)."""
    return lgamma(a) + lgamma(b) - lgamma(a + b)


def log_marginal(ones: int, total: int, a: float = 1.0, b: float = 1.0) -> float:
    """Log marginal likelihood of `ones` successes in `total` Bernoulli draws under Beta(a, b),
    without the prior's constant normaliser."""
    return log_beta(ones + a, total - ones + b)


def score_b4_row(
    row: Row,
    group_size: int,
    column_sums: Sequence[int],
    n_programs: int,
    beta_0: float,
    alpha_xy: float,
) -> float:
    """Log posterior (up to a constant) of "the `group_size` programs with row `row` are the
    correct ones and the tests where `row` is 1 are the correct tests".

    `column_sums[j]` counts all programs passing test j; the group's own entries are removed
    to get the blocks of incorrect programs against "correct" and "incorrect" tests.
    """
    n_tests = len(row)
    passed = sum(row)
    others = n_programs - group_size
    ones_vs_correct = sum(column_sums[j] for j in range(n_tests) if row[j]) - group_size * passed
    ones_vs_incorrect = sum(column_sums[j] for j in range(n_tests) if not row[j])
    return (
        log_marginal(passed, n_tests, a=alpha_xy)
        + log_marginal(group_size, n_programs, a=alpha_xy)
        + log_marginal(ones_vs_correct, others * passed)
        + log_marginal(ones_vs_incorrect, others * (n_tests - passed), b=beta_0)
    )


def rank_b4(
    matrix: PassMatrix,
    beta_0: float = 1e4,
    alpha_xy: float = 1e3,
    known_correct: Sequence[int] = (),
) -> Ranking:
    """Consensus sets ranked by `score_b4_row` (defaults: the real-data setting of the B4 repo).

    `known_correct` columns are tests whose expected values are known right (they came from the
    original): fixed as correct in the model, so a hypothesis whose row fails one of them has
    probability zero and ranks last.
    """
    column_sums = [sum(row[j] for row in matrix.rows) for j in range(matrix.n_tests)]
    return sort_groups(
        RankedGroup(
            tuple(members),
            score_b4_row(row, len(members), column_sums, matrix.n_programs, beta_0, alpha_xy)
            if all(row[j] for j in known_correct)
            else -math.inf,
        )
        for row, members in group_identical_rows(matrix).items()
    )
