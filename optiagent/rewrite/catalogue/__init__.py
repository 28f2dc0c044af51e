"""The offline catalogue: libcst rewrite rules that propose faster candidates without an LLM."""

from __future__ import annotations

from optiagent.rewrite.catalogue.base import Discharge, Precondition, Rule, RuleInfo
from optiagent.rewrite.catalogue.proposals import Rewrite, all_rules, explain, propose_rewrites

__all__ = [
    "Discharge",
    "Precondition",
    "Rewrite",
    "Rule",
    "RuleInfo",
    "all_rules",
    "explain",
    "propose_rewrites",
]
