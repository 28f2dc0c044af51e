"""The catalogue's public API: all_rules, propose_rewrites, explain."""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue import Rewrite, all_rules, explain, propose_rewrites
from optiagent.rewrite.catalogue.base import RuleInfo
from optiagent.rewrite.normalize import normalize_source

SOURCE = '''\
"""Reports."""


def report(rows: list[str], banned: list[str]) -> str:
    # header first
    text = "rows\\n"
    for row in rows:
        if row not in banned:
            text += row + "\\n"
    return text


def untouched(x):
    return x  # stays exactly as written
'''


def test_rules_have_unique_ids_titles_and_explanations() -> None:
    """Every rule has a distinct OPT id, a title and a one-line explanation."""
    infos = [rule.info for rule in all_rules()]
    assert len(infos) >= 5
    assert len({info.id for info in infos}) == len(infos)
    for info in infos:
        assert info.id.startswith("OPT") and info.title and info.explanation
        assert "\n" not in info.explanation
        assert explain(info.id).startswith(info.explanation) and "\n" not in explain(info.id)


def test_every_rule_declares_its_preconditions_and_explain_names_them() -> None:
    """Each rule states what it assumes, and its explanation says how each assumption is discharged."""
    for rule in all_rules():
        assert rule.info.preconditions, rule.info.id
        for precondition in rule.info.preconditions:
            assert precondition.assumption in explain(rule.info.id)
            assert precondition.discharge.value in explain(rule.info.id)


def test_a_rule_without_preconditions_still_describes_itself() -> None:
    """Declaring preconditions is optional: a bare RuleInfo keeps working (rules added elsewhere)."""
    bare = RuleInfo(id="OPT900", title="t", explanation="e")
    assert bare.preconditions == ()


def test_explain_unknown_rule_is_empty() -> None:
    """Unknown ids explain to an empty string rather than raising."""
    assert explain("OPT999") == ""


def test_singles_and_combination_are_proposed() -> None:
    """Each applicable rule alone, then their combination, with rule ids in application order."""
    proposals = propose_rewrites(SOURCE, "report")
    rules = [proposal.rules for proposal in proposals]
    assert ("OPT002",) in rules and ("OPT003",) in rules
    assert ("OPT002", "OPT003") in rules
    combined = next(p for p in proposals if p.rules == ("OPT002", "OPT003"))
    assert "banned_set" in combined.source and "text_parts" in combined.source


def test_bytes_outside_the_change_are_untouched() -> None:
    """The untouched function and the comments keep their exact text; every candidate parses."""
    for proposal in propose_rewrites(SOURCE, "report"):
        assert isinstance(proposal, Rewrite)
        cst.parse_module(proposal.source)
        assert "def untouched(x):\n    return x  # stays exactly as written\n" in proposal.source
        assert "    # header first\n" in proposal.source


def test_candidates_are_unique_after_normalization() -> None:
    """No two candidates (nor the original) normalize to the same text."""
    proposals = propose_rewrites(SOURCE, "<program>")
    keys = [normalize_source(p.source) for p in proposals] + [normalize_source(SOURCE)]
    assert len(keys) == len(set(keys))


def test_max_combinations_limits_combinations() -> None:
    """With max_combinations=0 only single-rule candidates come back."""
    proposals = propose_rewrites(SOURCE, "report", max_combinations=0)
    assert proposals and all(len(p.rules) == 1 for p in proposals)


def test_odd_input_never_raises() -> None:
    """Unparsable code, unknown targets and empty modules give no candidates."""
    assert propose_rewrites("def (:\n", "f") == []
    assert propose_rewrites(SOURCE, "missing") == []
    assert propose_rewrites("", "<program>") == []


class _ExplodingRule:
    info = RuleInfo(id="OPT000", title="explodes", explanation="always raises")

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        raise RuntimeError("boom")


def test_a_rule_that_throws_is_skipped() -> None:
    """A raising rule is treated as not applicable."""
    from optiagent.rewrite.catalogue.proposals import _apply

    assert _apply(_ExplodingRule(), cst.parse_module(SOURCE), "report") is None
