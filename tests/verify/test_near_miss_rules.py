"""Rules applied where their precondition almost holds: no candidate, or one validation rejects."""

from __future__ import annotations

from optiagent.domain.verdicts import Equivalent, Mismatch
from optiagent.rewrite.catalogue import propose_rewrites

from .conftest import CheckRunner

MUTATED_IN_LOOP = """
def keep_new(xs: list[int], banned: list[int]) -> list[int]:
    out = []
    for x in xs:
        if x in banned:
            banned.append(x + 1)
        else:
            out.append(x)
    return out
"""

UNHASHABLE_SEEN = """
def distinct_rows(rows: list[list[int]]) -> list[list[int]]:
    seen = []
    for row in rows:
        if row not in seen:
            seen.append(row)
    return seen
"""

UNHASHABLE_BANNED = """
def allowed(rows: list[list[int]], banned: list[list[int]]) -> list[list[int]]:
    out = []
    for row in rows:
        if row not in banned:
            out.append(row)
    return out
"""


def _rules(source: str, qualname: str) -> set[str]:
    return {rule for proposal in propose_rewrites(source, qualname) for rule in proposal.rules}


def test_a_list_mutated_inside_the_loop_gets_no_set_candidate() -> None:
    assert "OPT002" not in _rules(MUTATED_IN_LOOP, "keep_new")


def test_a_seen_list_of_unhashable_rows_is_rejected_by_validation(run_check: CheckRunner) -> None:
    """OPT027's precondition cannot see element types: the set raises TypeError, the list did not."""
    [candidate] = [p for p in propose_rewrites(UNHASHABLE_SEEN, "distinct_rows") if p.rules == ("OPT027",)]
    outcome = run_check(UNHASHABLE_SEEN, candidate.source, "distinct_rows", max_examples=50)
    assert isinstance(outcome.verdict, Mismatch)
    assert "TypeError" in outcome.verdict.detail


def test_a_membership_set_of_unhashable_items_is_guarded_and_equivalent(run_check: CheckRunner) -> None:
    """OPT002 cannot prove `list[list[int]]` elements hashable: its guarded set falls back to the list."""
    [candidate] = [p for p in propose_rewrites(UNHASHABLE_BANNED, "allowed") if p.rules == ("OPT002",)]
    assert "{*map(type, banned)} <=" in candidate.source
    outcome = run_check(UNHASHABLE_BANNED, candidate.source, "allowed", max_examples=50)
    assert isinstance(outcome.verdict, Equivalent), outcome.verdict
