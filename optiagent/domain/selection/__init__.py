"""Selectors: pick the best of many candidate programs from a passing matrix (pure functions).

See docs/design algorithms.md sections 2, 3 and 9. Every selector maps a `PassMatrix` to a
`Ranking` (groups of program indices with scores, best first); `ranking.py` evaluates rankings.
"""

from optiagent.domain.selection.b4 import rank_b4, score_b4_row
from optiagent.domain.selection.codet import rank_codet
from optiagent.domain.selection.consensus import rank_functional_consensus, score_functional_consensus
from optiagent.domain.selection.matrix import PassMatrix, RankedGroup, Ranking, group_identical_rows
from optiagent.domain.selection.maxpass import rank_maxpass
from optiagent.domain.selection.mbr_exec import rank_mbr_exec_outputs, rank_mbr_exec_rows
from optiagent.domain.selection.random_select import rank_random
from optiagent.domain.selection.ranking import estimate_pass_at_k, evaluate_ranking, merge_tied_groups

__all__ = [
    "PassMatrix",
    "RankedGroup",
    "Ranking",
    "estimate_pass_at_k",
    "evaluate_ranking",
    "group_identical_rows",
    "merge_tied_groups",
    "rank_b4",
    "rank_codet",
    "rank_functional_consensus",
    "rank_maxpass",
    "rank_mbr_exec_outputs",
    "rank_mbr_exec_rows",
    "rank_random",
    "score_b4_row",
    "score_functional_consensus",
]
