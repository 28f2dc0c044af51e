"""Stress inputs beyond the original's budget: candidates are judged by consensus (B4)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.adapters.store.memory import InMemoryEditStore
from optiagent.domain.candidates import Budget, Candidate
from optiagent.domain.targets import Target
from optiagent.ports.generator import TargetContext
from optiagent.services.optimize import optimize
from optiagent.services.requests import OptimizeRequest, SilentProgress
from optiagent.services.target_run import Services

pytestmark = pytest.mark.slow

# Cubic: stress inputs soon take the original longer than its budget.
ORIGINAL = """\
def triples(xs: list[int]) -> int:
    count = 0
    for a in xs:
        for b in xs:
            for c in xs:
                if a + b == c:
                    count += 1
    return count
"""
FAST = """\
from collections import Counter


def triples(xs: list[int]) -> int:
    counts = Counter(xs)
    return sum(counts[a + b] for a in xs for b in xs)
"""
# Right on everything the original can answer, wrong on lists longer than it can finish.
FAST_BUT_WRONG_WHEN_HUGE = FAST.replace(
    "    counts = Counter(xs)\n", "    counts = Counter(xs)\n    if len(xs) > 60:\n        return -1\n"
)


class Fixed:
    name = "fixed"

    def propose(self, target: Target, context: TargetContext, budget: Budget) -> list[Candidate]:
        sources = [
            FAST,
            FAST.replace("counts", "tally"),
            FAST_BUT_WRONG_WHEN_HUGE,
            FAST.replace("a + b", "b + a"),
        ]
        return [Candidate(source, "fixed", (f"variant{i}",)) for i, source in enumerate(sources)]


def test_the_candidate_that_disagrees_beyond_the_budget_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "triples.py").write_text(ORIGINAL)
    request = OptimizeRequest(root=tmp_path)
    check = dataclasses.replace(request.check, max_examples=30, stress_low_s=0.005, stress_high_s=0.01)
    services = Services(
        sandbox=LocalSandbox(),
        store=InMemoryEditStore(),
        generators={"fixed": Fixed()},
        progress=SilentProgress(),
        check=check,
        bench=request.bench,
        min_speedup=1.05,
        workers=1,
    )
    store = services.store
    [target] = optimize(request, services, "local").targets
    assert target.rules in (["variant0"], ["variant1"], ["variant3"]), target.reason
    [edit] = store.accepted_edits()
    verdicts = {c.rules[0]: store.get_verdict(c.id) for c in store.candidates(edit.target_id)}
    wrong = verdicts["variant2"]
    assert wrong is not None and wrong.verdict == "mismatch"
    # Sizes follow the original's speed: on a fast machine a checked stress input may already
    # exceed 60 elements and catch it directly; otherwise only the consensus can.
    assert "consensus (B4)" in wrong.detail or "candidate returned -1" in wrong.detail, wrong.detail
    assert all(v is not None and v.verdict != "mismatch" for k, v in verdicts.items() if k != "variant2")
