"""Judging candidates where the original gives no answer: B4 over their own outputs.

On stress inputs too large for the original to finish within its budget there is no expected
value. Every candidate reaching this point already agreed with the original on every input it
could answer: that is one known-correct test, passed by all, fixed as correct in the model. Each
distinct output a candidate gives on an unanswered input is a plausible test "this input gives
this output"; B4 picks the consensus, and candidates that answer differently from it are out.
"""

from __future__ import annotations

from collections.abc import Sequence

from optiagent.domain.selection.b4 import rank_b4
from optiagent.domain.selection.matrix import PassMatrix

Outputs = Sequence[str | None]  # per unanswered input: an output fingerprint, None when unfinished


def dissenters(outputs: Sequence[Outputs]) -> set[int]:
    """Indices of candidates that answered some unanswered input differently from the B4 winner."""
    answering = [i for i, row in enumerate(outputs) if any(value is not None for value in row)]
    width = max((len(row) for row in outputs), default=0)
    tests = [
        (column, value)
        for column in range(width)
        for value in dict.fromkeys(_at(outputs[i], column) for i in answering)
        if value is not None
    ]
    if len(answering) < 2 or len(tests) == len({column for column, _ in tests}):
        return set()  # nobody to disagree with, or everyone who answered agrees
    rows = [[1] + [int(_at(outputs[i], c) == v) for c, v in tests] for i in answering]
    best = rank_b4(PassMatrix.from_rows(rows), known_correct=[0])[0]
    winners = [answering[m] for m in best.members]
    agreed = {c: _at(outputs[winners[0]], c) for c in range(width)}
    return {
        i
        for i in answering
        if i not in winners
        and any(
            _at(outputs[i], c) is not None and agreed[c] is not None and _at(outputs[i], c) != agreed[c]
            for c in range(width)
        )
    }


def _at(row: Outputs, column: int) -> str | None:
    return row[column] if column < len(row) else None
