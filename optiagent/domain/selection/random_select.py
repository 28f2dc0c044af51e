"""Random selection: every candidate in one group (section 3.1)."""

from __future__ import annotations

from optiagent.domain.selection.matrix import PassMatrix, RankedGroup, Ranking


def rank_random(matrix: PassMatrix) -> Ranking:
    """One group of all programs with score 1; its pass@1 is the fraction correct."""
    if matrix.n_programs == 0:
        return ()
    return (RankedGroup(tuple(range(matrix.n_programs)), 1.0),)
