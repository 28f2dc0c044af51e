"""The ordered list of rules in the catalogue."""

from __future__ import annotations

from optiagent.rewrite.catalogue.append_comprehension import AppendComprehensionRule
from optiagent.rewrite.catalogue.base import Rule
from optiagent.rewrite.catalogue.count_dict import CountDictRule
from optiagent.rewrite.catalogue.membership_set import MembershipSetRule
from optiagent.rewrite.catalogue.memoize import MemoizeRule
from optiagent.rewrite.catalogue.str_join import StrJoinRule


def all_rules() -> list[Rule]:
    """Every rule of the catalogue, in id order."""
    rules: list[Rule] = [
        MemoizeRule(),
        MembershipSetRule(),
        StrJoinRule(),
        AppendComprehensionRule(),
        CountDictRule(),
    ]
    return sorted(rules, key=lambda rule: rule.info.id)
