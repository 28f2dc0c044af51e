"""Ranking evaluation of algorithms.md section 2: tie merging, round-robin draws, pass@k."""

from __future__ import annotations

from math import comb

import pytest

from optiagent.domain.selection import RankedGroup, estimate_pass_at_k, evaluate_ranking, merge_tied_groups
from optiagent.domain.selection.ranking import allot_draws


@pytest.mark.parametrize(
    ("n", "c", "k"), [(100, 0, 1), (100, 3, 1), (100, 3, 10), (100, 40, 100), (10, 5, 3)]
)
def test_unbiased_pass_at_k_equals_the_binomial_formula(n: int, c: int, k: int) -> None:
    """The product form equals 1 - C(n-c, k) / C(n, k)."""
    assert estimate_pass_at_k(n, c, k) == pytest.approx(1 - comb(n - c, k) / comb(n, k), abs=1e-12)


def test_unbiased_pass_at_k_is_one_when_too_few_wrong_samples() -> None:
    """With n - c < k every draw of k samples contains a correct one."""
    assert estimate_pass_at_k(5, 3, 3) == 1.0


def test_unbiased_pass_at_k_rejects_impossible_counts() -> None:
    """More correct samples than samples is a caller bug."""
    with pytest.raises(ValueError):
        estimate_pass_at_k(3, 4, 1)


def test_equal_scores_are_merged_before_pass_at_1() -> None:
    """Two top groups with equal score form one merged group, so pass@1 = c/n over both."""
    ranking = (RankedGroup((0,), 2.0), RankedGroup((1, 2, 3), 2.0), RankedGroup((4,), 1.0))
    correct = [True, False, False, True, True]
    assert merge_tied_groups(ranking) == [(0, 1, 2, 3), (4,)]
    assert evaluate_ranking(ranking, correct, 1) == pytest.approx(2 / 4)


def test_only_adjacent_equal_scores_merge() -> None:
    """Merging is of consecutive groups: a sorted ranking has its ties adjacent."""
    ranking = (RankedGroup((0,), 3.0), RankedGroup((1,), 2.0), RankedGroup((2,), 2.0), RankedGroup((3,), 1.0))
    assert merge_tied_groups(ranking) == [(0,), (1, 2), (3,)]


def test_draws_go_round_robin_from_the_top_when_groups_run_out() -> None:
    """pass@5 over 2 groups draws 3 from the top group and 2 from the second."""
    assert allot_draws(2, 5) == [3, 2]
    assert allot_draws(3, 2) == [1, 1]
    assert allot_draws(1, 10) == [10]


def test_pass_at_k_multiplies_wrong_probabilities_with_replacement() -> None:
    """P(all wrong) = prod ((n_g - c_g)/n_g) ** draws_g over used groups."""
    ranking = (RankedGroup((0, 1), 5.0), RankedGroup((2, 3, 4), 1.0))
    correct = [True, False, False, False, True]
    expected_wrong = (1 / 2) ** 2 * (2 / 3) ** 1
    assert evaluate_ranking(ranking, correct, 3) == pytest.approx(1 - expected_wrong)


def test_weights_count_program_instances() -> None:
    """A program sampled 3 times counts 3 times in its group's size and correct count."""
    ranking = (RankedGroup((0, 1), 1.0),)
    assert evaluate_ranking(ranking, [True, False], 1, weights=[3, 1]) == pytest.approx(3 / 4)


def test_empty_ranking_cannot_be_evaluated() -> None:
    """An empty ranking is refused; the CodeT protocol falls back to sampling pass@k itself."""
    with pytest.raises(ValueError):
        evaluate_ranking((), [], 1)
