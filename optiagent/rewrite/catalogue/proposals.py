"""Apply the catalogue to one target: every single rule that applies, plus compatible combinations."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import libcst as cst

from optiagent.rewrite.catalogue.base import Rule
from optiagent.rewrite.catalogue.registry import all_rules
from optiagent.rewrite.normalize import normalize_source

__all__ = ["Rewrite", "all_rules", "explain", "propose_rewrites"]


@dataclass(frozen=True)
class Rewrite:
    """A candidate module text and the ids of the rules applied to get it, in order."""

    source: str
    rules: tuple[str, ...]


def explain(rule_id: str) -> str:
    """The one-line explanation of rule `rule_id` with what it assumes and how each assumption
    was discharged (empty if there is no such rule)."""
    for rule in all_rules():
        if rule.info.id == rule_id:
            assumed = "; ".join(p.describe() for p in rule.info.preconditions)
            return f"{rule.info.explanation}; assumes {assumed}" if assumed else rule.info.explanation
    return ""


def _compiles(source: str) -> bool:
    try:
        compile(source, "<candidate>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def _apply(rule: Rule, module: cst.Module, qualname: str) -> cst.Module | None:
    """The rule's result, or None when it does not apply, throws, or produces code that does not compile."""
    try:
        result = rule.rewrite(module, qualname)
        if result is None or result.code == module.code or not _compiles(result.code):
            return None
        return result
    except Exception:  # a rule that throws on odd code is skipped, never fatal
        return None


def _combinations(count: int) -> list[tuple[int, ...]]:
    """Index subsets of size >= 2: the full set first, then pairs, triples and so on."""
    subsets: list[tuple[int, ...]] = []
    if count >= 2:
        subsets.append(tuple(range(count)))
    for size in range(2, count):
        subsets.extend(itertools.combinations(range(count), size))
    return subsets


@functools.lru_cache(maxsize=4)
def _parsed(source: str) -> cst.Module:
    """One module object per source text, so the targets of one file share its whole-module facts
    (`module_facts.py`, keyed by module object): 5 s of CPU per target of pyparsing's core.py."""
    return cst.parse_module(source)


def propose_rewrites(source: str, qualname: str, *, max_combinations: int = 8) -> list[Rewrite]:
    """Every single rule that applies to `qualname`, plus up to `max_combinations` combinations.

    A combination applies its rules in sequence, each on the previous result, and is kept only
    if every one of them still applied. Results are deduplicated by normalized source.
    """
    try:
        module = _parsed(source)
    except Exception:
        return []
    applicable: list[tuple[Rule, cst.Module]] = []
    for rule in all_rules():
        result = _apply(rule, module, qualname)
        if result is not None:
            applicable.append((rule, result))
    seen = {normalize_source(source)}
    proposals: list[Rewrite] = []

    def keep(text: str, rules: tuple[str, ...]) -> bool:
        key = normalize_source(text)
        if key in seen:
            return False
        seen.add(key)
        proposals.append(Rewrite(source=text, rules=rules))
        return True

    for rule, result in applicable:
        keep(result.code, (rule.info.id,))
    prefixes: dict[tuple[int, ...], cst.Module | None] = {
        (index,): result for index, (_, result) in enumerate(applicable)
    }
    kept = 0
    for attempts, subset in enumerate(_combinations(len(applicable))):
        if kept >= max_combinations or attempts >= 4 * max_combinations + 8:
            break
        current = _apply_sequence(subset, applicable, prefixes, qualname)
        if current is not None and keep(current.code, tuple(applicable[i][0].info.id for i in subset)):
            kept += 1
    return proposals


def _apply_sequence(
    subset: tuple[int, ...],
    applicable: list[tuple[Rule, cst.Module]],
    prefixes: dict[tuple[int, ...], cst.Module | None],
    qualname: str,
) -> cst.Module | None:
    """Apply the rules of `subset` in order, reusing results of shared prefixes."""
    if subset in prefixes:
        return prefixes[subset]
    previous = _apply_sequence(subset[:-1], applicable, prefixes, qualname)
    result = None if previous is None else _apply(applicable[subset[-1]][0], previous, qualname)
    prefixes[subset] = result
    return result
