"""realworld_diagnose names the stage that stopped each target."""

from __future__ import annotations

from benchmarks.realworld_diagnose import CandidateRow, stage_of


def test_stage_follows_the_pipeline_order() -> None:
    """Budget, self-check, no candidate, rejected, not significant and improved are told apart."""
    timed = CandidateRow(["OPT008"], "equivalent", "", 1.02, False)
    wrong = CandidateRow(["OPT003"], "mismatch", "f(1): 2 != 3", None, None)
    assert stage_of("improved", "1 of 1 candidates accepted", "equivalent", [timed]) == "improved"
    assert stage_of("skipped", "not started: time budget spent", None, []) == "not started (budget)"
    assert stage_of("skipped", "self-check failed", "mismatch: differs", [timed]) == "self-check"
    assert stage_of("unchanged", "no strategy proposed a candidate", "equivalent", []) == "no candidate"
    assert stage_of("unchanged", "OPT003: mismatch", "equivalent", [wrong]) == "rejected"
    assert stage_of("unchanged", "OPT008: no acceptance", "equivalent", [wrong, timed]) == "not significant"
