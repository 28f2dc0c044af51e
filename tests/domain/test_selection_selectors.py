"""Selectors on the worked example of algorithms.md section 3.6 and small hand-made cases."""

from __future__ import annotations

import math

import pytest

from optiagent.domain.selection import (
    PassMatrix,
    Ranking,
    rank_b4,
    rank_codet,
    rank_functional_consensus,
    rank_maxpass,
    rank_mbr_exec_outputs,
    rank_mbr_exec_rows,
    rank_random,
    score_functional_consensus,
)
from optiagent.domain.selection.b4 import log_beta

WORKED_EXAMPLE = PassMatrix.from_rows(
    [
        [1, 1, 1, 0, 0],
        [1, 1, 1, 0, 0],
        [1, 1, 0, 0, 0],
        [1, 1, 0, 0, 0],
        [1, 1, 0, 0, 0],
        [0, 0, 0, 1, 1],
    ]
)


def as_pairs(ranking: Ranking) -> list[tuple[tuple[int, ...], float]]:
    return [(group.members, group.score) for group in ranking]


def assert_ranking(ranking: Ranking, expected: list[tuple[tuple[int, ...], float]]) -> None:
    assert [members for members, _ in as_pairs(ranking)] == [members for members, _ in expected]
    for (_, score), (_, want) in zip(as_pairs(ranking), expected, strict=True):
        assert score == pytest.approx(want, abs=1e-4)


def test_b4_real_data_setting_matches_worked_example() -> None:
    """B4 with beta_0=1e4, alpha_xy=1e3 ranks {p0,p1} > {p2,p3,p4} > {p5} with the documented scores."""
    assert_ranking(
        rank_b4(WORKED_EXAMPLE, beta_0=1e4, alpha_xy=1e3),
        [((0, 1), -87.7564), ((2, 3, 4), -99.2416), ((5,), -164.6900)],
    )


def test_b4_simulation_setting_matches_worked_example() -> None:
    """B4 with beta_0=10, alpha_xy=10 prefers the larger set {p2,p3,p4}, as documented."""
    assert_ranking(
        rank_b4(WORKED_EXAMPLE, beta_0=10, alpha_xy=10),
        [((2, 3, 4), -33.1227), ((0, 1), -34.4071), ((5,), -39.8122)],
    )


def test_b4_top_score_decomposes_into_four_log_beta_terms() -> None:
    """The top B4 score is the sum of the four documented log-Beta terms."""
    terms = log_beta(1003, 3) + log_beta(1002, 5) + log_beta(7, 7) + log_beta(3, 10006)
    assert terms == pytest.approx(-87.7564, abs=1e-4)
    assert rank_b4(WORKED_EXAMPLE)[0].score == pytest.approx(terms, abs=1e-12)


def test_codet_dedup_form_matches_worked_example() -> None:
    """CodeT scores consensus sets by tests passed x sqrt(set size)."""
    assert_ranking(
        rank_codet(WORKED_EXAMPLE), [((0, 1), 3 * math.sqrt(2)), ((2, 3, 4), 2 * math.sqrt(3)), ((5,), 2.0)]
    )


def test_mbr_exec_pass_row_form_matches_worked_example() -> None:
    """MBR-exec (B4-repo form) ranks identical-row groups by size."""
    assert_ranking(rank_mbr_exec_rows(WORKED_EXAMPLE), [((2, 3, 4), 3.0), ((0, 1), 2.0), ((5,), 1.0)])


def test_maxpass_matches_worked_example() -> None:
    """MaxPass groups by row sum, so p5 ties with p2..p4."""
    assert_ranking(rank_maxpass(WORKED_EXAMPLE), [((0, 1), 3.0), ((2, 3, 4, 5), 2.0)])


def test_random_is_one_group_of_everyone() -> None:
    """Random selection puts all programs in a single group."""
    assert_ranking(rank_random(WORKED_EXAMPLE), [((0, 1, 2, 3, 4, 5), 1.0)])


def test_codet_with_multiplicities_equals_the_expanded_matrix() -> None:
    """Weights on programs and tests score like duplicated rows and columns (CodeT protocol)."""
    weighted = PassMatrix.from_rows([[1, 0], [0, 1]], program_weights=[1, 3], test_weights=[4, 1])
    expanded = PassMatrix.from_rows([[1, 1, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1]])
    assert [g.score for g in rank_codet(weighted)] == pytest.approx([g.score for g in rank_codet(expanded)])
    assert rank_codet(weighted)[0].score == pytest.approx(4.0)


def test_codet_can_drop_programs_that_pass_nothing() -> None:
    """With include_failing=False all-zero rows are in no consensus set."""
    matrix = PassMatrix.from_rows([[0, 0], [1, 0], [0, 0]])
    assert as_pairs(rank_codet(matrix, include_failing=False)) == [((1,), 1.0)]
    assert as_pairs(rank_codet(matrix))[-1] == ((0, 2), 0.0)


def test_mbr_exec_output_form_picks_largest_equivalence_class() -> None:
    """Programs with identical outputs on every input form a class; the largest wins."""
    outputs = [["1", "2"], ["1", "3"], ["1", "2"], ["raised", "2"]]
    assert as_pairs(rank_mbr_exec_outputs(outputs)) == [((0, 2), 2.0), ((1,), 1.0), ((3,), 1.0)]


def test_functional_consensus_counts_agreement_and_penalises_failures() -> None:
    """Score = agreeing others per input, -100 per failed call, -10000 once for a failed unittest."""
    outputs: list[list[str | None]] = [["1", "a"], ["1", "a"], ["1", "b"], [None, "a"]]
    assert score_functional_consensus(outputs) == [2 + 2, 2 + 2, 2 + 0, -100 + 2]
    assert score_functional_consensus(outputs, [True, False, False, False])[0] == 4 - 10_000
    ranking = rank_functional_consensus(outputs, [True, False, False, False])
    assert as_pairs(ranking) == [((1,), 4.0), ((2,), 2.0), ((3,), -98.0), ((0,), -9996.0)]


def test_pass_matrix_rejects_ragged_or_non_binary_rows() -> None:
    """The matrix refuses rows of the wrong width or values other than 0/1."""
    with pytest.raises(ValueError):
        PassMatrix.from_rows([[1, 0], [1]])
    with pytest.raises(ValueError):
        PassMatrix.from_rows([[2, 0]])
