"""CodeT dual execution agreement (section 3.4), in the released-code form."""

from __future__ import annotations

import math

from optiagent.domain.selection.matrix import (
    PassMatrix,
    RankedGroup,
    Ranking,
    group_identical_rows,
    sort_groups,
)


def score_codet_set(tests_passed: int, programs_in_set: int) -> float:
    """Released-code score of a consensus set: test instances passed x sqrt(program instances)."""
    return tests_passed * math.sqrt(programs_in_set)


def rank_codet(matrix: PassMatrix, include_failing: bool = True) -> Ranking:
    """Consensus sets (identical rows) scored by `score_codet_set`, using the matrix's
    multiplicities; with weights 1 this is the B4-repo (de-duplicated) form.

    `include_failing=False` drops programs that pass no test, as the CodeT harness does (they are
    in no consensus set and can never be chosen); the default keeps them as a score-0 group.
    """
    groups = []
    for row, members in group_identical_rows(matrix).items():
        passed = matrix.weighted_row_sum(row)
        if passed == 0 and not include_failing:
            continue
        weight = sum(matrix.program_weight(i) for i in members)
        groups.append(RankedGroup(tuple(members), score_codet_set(passed, weight)))
    return sort_groups(groups)
