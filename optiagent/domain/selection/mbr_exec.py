"""MBR-exec (section 3.3): the largest behaviour-equivalence class wins."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from optiagent.domain.selection.matrix import (
    PassMatrix,
    RankedGroup,
    Ranking,
    group_identical_rows,
    sort_groups,
)


def rank_mbr_exec_rows(matrix: PassMatrix) -> Ranking:
    """B4-repo form: group by identical pass/fail row; score = number of (weighted) programs."""
    return sort_groups(
        RankedGroup(tuple(members), float(sum(matrix.program_weight(i) for i in members)))
        for members in group_identical_rows(matrix).values()
    )


def rank_mbr_exec_outputs(outputs: Sequence[Sequence[Hashable]]) -> Ranking:
    """Original form: `outputs[i][j]` is program i's output on input j (any hashable value,
    e.g. a JSON string, or a marker for "raised"). Programs with identical output vectors are
    equivalent; minimising the 0/1 loss to all other samples = largest equivalence class.
    """
    classes: dict[tuple[Hashable, ...], list[int]] = {}
    for index, vector in enumerate(outputs):
        classes.setdefault(tuple(vector), []).append(index)
    return sort_groups(RankedGroup(tuple(members), float(len(members))) for members in classes.values())
