"""B4 over candidates' own outputs where the original gave no answer."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from optiagent.domain.selection import PassMatrix, rank_b4
from optiagent.domain.selection.oracle_free import dissenters


def test_the_odd_one_out_is_rejected() -> None:
    outputs = [("a", "x"), ("a", "x"), ("b", "x"), ("a", "x")]
    assert dissenters(outputs) == {2}


def test_unfinished_inputs_are_not_evidence() -> None:
    """A candidate that could not finish an input (None) is not a dissenter for it."""
    outputs = [("a", None), ("a", "x"), (None, None), ("a", "x")]
    assert dissenters(outputs) == set()


def test_agreement_rejects_nobody() -> None:
    assert dissenters([("a",), ("a",), ("a",)]) == set()
    assert dissenters([("a",)]) == set()
    assert dissenters([]) == set()


def test_a_larger_consensus_wins_over_a_pair() -> None:
    outputs = [("p",), ("q",), ("q",), ("q",), ("p",)]
    assert dissenters(outputs) == {0, 4}


def test_known_correct_tests_fix_the_hypothesis() -> None:
    """A group failing a known-correct column can never be the chosen hypothesis."""
    matrix = PassMatrix.from_rows([(0, 1, 1), (0, 1, 1), (0, 1, 1), (1, 0, 0)])
    assert rank_b4(matrix)[0].members == (0, 1, 2)
    assert rank_b4(matrix, known_correct=[0])[0].members == (3,)


@given(st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.sampled_from(["x", "y", None])), max_size=8))
def test_dissenters_disagree_somewhere_with_someone(outputs: list[tuple[str | None, str | None]]) -> None:
    out = dissenters(outputs)
    assert out <= set(range(len(outputs)))
    kept = [row for i, row in enumerate(outputs) if i not in out]
    if out:
        assert kept  # the winners stay
    for i in out:
        assert any(
            value is not None and other[c] is not None and value != other[c]
            for row in kept
            for other in [row]
            for c, value in enumerate(outputs[i])
        )
