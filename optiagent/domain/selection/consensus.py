"""FunCoder functional consensus (section 6.4): the candidate agreeing most with the others wins."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from optiagent.domain.selection.matrix import RankedGroup, Ranking, sort_groups

FAILED_CALL_PENALTY = 100
FAILED_UNITTEST_PENALTY = 10_000


def score_functional_consensus(
    outputs: Sequence[Sequence[str | None]],
    failed_unittest: Sequence[bool] = (),
) -> list[int]:
    """`outputs[i][j]`: candidate i's serialised result on test input j, or None if it raised or
    timed out. Each non-None output earns the number of OTHER candidates with the same output on
    that input; each failure costs 100; failing any unittest-type test costs 10,000 once.
    """
    n_inputs = len(outputs[0]) if outputs else 0
    if any(len(vector) != n_inputs for vector in outputs):
        raise ValueError("every candidate needs one output per test input")
    scores = [0] * len(outputs)
    for j in range(n_inputs):
        counts = Counter(vector[j] for vector in outputs if vector[j] is not None)
        for i, vector in enumerate(outputs):
            value = vector[j]
            scores[i] += counts[value] - 1 if value is not None else -FAILED_CALL_PENALTY
    for i, failed in enumerate(failed_unittest):
        if failed:
            scores[i] -= FAILED_UNITTEST_PENALTY
    return scores


def rank_functional_consensus(
    outputs: Sequence[Sequence[str | None]],
    failed_unittest: Sequence[bool] = (),
) -> Ranking:
    """Candidates grouped by equal consensus score, best first (FunCoder draws among the argmax)."""
    by_score: dict[int, list[int]] = {}
    for index, score in enumerate(score_functional_consensus(outputs, failed_unittest)):
        by_score.setdefault(score, []).append(index)
    return sort_groups(RankedGroup(tuple(members), float(score)) for score, members in by_score.items())
