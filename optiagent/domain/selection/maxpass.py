"""MaxPass: rank programs by how many tests they pass (section 3.2)."""

from __future__ import annotations

from optiagent.domain.selection.matrix import PassMatrix, RankedGroup, Ranking, sort_groups


def rank_maxpass(matrix: PassMatrix) -> Ranking:
    """Groups of programs with equal (weighted) row sums, highest sum first."""
    by_sum: dict[int, list[int]] = {}
    for index, row in enumerate(matrix.rows):
        by_sum.setdefault(matrix.weighted_row_sum(row), []).append(index)
    return sort_groups(RankedGroup(tuple(members), float(total)) for total, members in by_sum.items())
