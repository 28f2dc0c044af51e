"""The ordered list of rules in the catalogue."""

from __future__ import annotations

from optiagent.rewrite.catalogue.any_all_generator import AnyAllGeneratorRule
from optiagent.rewrite.catalogue.any_all_loop import AnyAllLoopRule
from optiagent.rewrite.catalogue.append_comprehension import AppendComprehensionRule
from optiagent.rewrite.catalogue.base import Rule
from optiagent.rewrite.catalogue.bit_count import BitCountRule
from optiagent.rewrite.catalogue.compiled_regex import CompiledRegexRule
from optiagent.rewrite.catalogue.comprehension_statement import ComprehensionStatementRule
from optiagent.rewrite.catalogue.constant_table import ConstantTableRule
from optiagent.rewrite.catalogue.constant_value import ConstantValueRule
from optiagent.rewrite.catalogue.count_counter import CountCounterRule
from optiagent.rewrite.catalogue.count_dict import CountDictRule
from optiagent.rewrite.catalogue.counting_loop import CountingLoopRule
from optiagent.rewrite.catalogue.deque_queue import DequeQueueRule
from optiagent.rewrite.catalogue.equality_scan import EqualityScanRule
from optiagent.rewrite.catalogue.extend_loop import ExtendLoopRule
from optiagent.rewrite.catalogue.first_item import FirstItemRule
from optiagent.rewrite.catalogue.inline_helper import InlineHelperRule
from optiagent.rewrite.catalogue.invariant_lookup import InvariantLookupRule
from optiagent.rewrite.catalogue.isqrt import IsqrtRule
from optiagent.rewrite.catalogue.join_list import JoinListRule
from optiagent.rewrite.catalogue.keys_membership import KeysMembershipRule
from optiagent.rewrite.catalogue.list_concat import ListConcatRule
from optiagent.rewrite.catalogue.literal_membership import LiteralMembershipRule
from optiagent.rewrite.catalogue.match_groups import MatchGroupsRule
from optiagent.rewrite.catalogue.membership_set import MembershipSetRule
from optiagent.rewrite.catalogue.memoize import MemoizeRule
from optiagent.rewrite.catalogue.missing_attribute import MissingAttributeRule
from optiagent.rewrite.catalogue.pow_mod import PowModRule
from optiagent.rewrite.catalogue.range_len import RangeLenRule
from optiagent.rewrite.catalogue.set_discard import SetDiscardRule
from optiagent.rewrite.catalogue.set_display_membership import SetDisplayMembershipRule
from optiagent.rewrite.catalogue.shadow_set import ShadowSetRule
from optiagent.rewrite.catalogue.sorted_min_max import SortedMinMaxRule
from optiagent.rewrite.catalogue.str_join import StrJoinRule
from optiagent.rewrite.catalogue.sum_lists import SumListsRule


def all_rules() -> list[Rule]:
    """Every rule of the catalogue, in id order."""
    rules: list[Rule] = [
        MemoizeRule(),
        MembershipSetRule(),
        StrJoinRule(),
        AppendComprehensionRule(),
        SortedMinMaxRule(),
        CountDictRule(),
        DequeQueueRule(),
        CompiledRegexRule(),
        AnyAllGeneratorRule(),
        BitCountRule(),
        PowModRule(),
        EqualityScanRule(),
        ListConcatRule(),
        CountCounterRule(),
        InvariantLookupRule(),
        RangeLenRule(),
        SumListsRule(),
        IsqrtRule(),
        KeysMembershipRule(),
        FirstItemRule(),
        SetDiscardRule(),
        CountingLoopRule(),
        ExtendLoopRule(),
        ShadowSetRule(),
        JoinListRule(),
        AnyAllLoopRule(),
        LiteralMembershipRule(),
        SetDisplayMembershipRule(),
        InlineHelperRule(),
        ConstantValueRule(),
        MatchGroupsRule(),
        ComprehensionStatementRule(),
        MissingAttributeRule(),
        ConstantTableRule(),
    ]
    return sorted(rules, key=lambda rule: rule.info.id)
