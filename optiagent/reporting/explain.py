"""Why an edit is faster, in one line per rule (from the catalogue) or for its strategy."""

from __future__ import annotations

from optiagent.rewrite.catalogue import explain

STRATEGIES = {
    "catalogue": "a rewrite rule of the offline catalogue (no LLM)",
    "plansearch": "an LLM searched over natural-language plans, then wrote code for the best ones",
    "rewoo": "an LLM planned the rewrite in steps, gathered evidence (search, runs, timings), then wrote it",
    "funcoder": "an LLM split the function into helpers and kept the versions most samples agreed on",
    "sampling": "several LLM samples of one prompt",
    "auto": "LLM strategies escalated from ReWOO to PlanSearch and FunCoder on promising targets",
}


def explanations(strategy: str | None, rules: list[str]) -> list[str]:
    lines = [f"{rule}: {explain(rule) or 'a catalogue rule'}" for rule in rules]
    if not lines and strategy:
        lines.append(f"{strategy}: {STRATEGIES.get(strategy, 'a candidate strategy')}")
    return lines
