"""The trap corpus: rewrites wrong only on inputs the workload never shows are all rejected."""

from __future__ import annotations

import copy

import pytest

from optiagent.domain.verdicts import Mismatch
from optiagent.verify.verdicts import CheckOutcome

from .conftest import _function, candidate_source
from .corpus import TRAPS, Trap


def test_the_corpus_is_large_enough() -> None:
    """At least twenty traps, each named once."""
    assert len(TRAPS) >= 20
    assert len({trap.name for trap in TRAPS}) == len(TRAPS)


@pytest.mark.parametrize("trap", TRAPS, ids=lambda trap: trap.name)
def test_the_workload_never_shows_the_bad_input(trap: Trap) -> None:
    """On every workload call the wrong rewrite agrees with the original: only other inputs expose it."""
    original = _function(trap.original, trap.qualname)
    candidate = _function(candidate_source(trap), trap.qualname)
    for args in trap.workload:
        before, after = copy.deepcopy(args), copy.deepcopy(args)
        assert repr(original(*before)) == repr(candidate(*after)), args  # type: ignore[operator]
        assert repr(before) == repr(after), args


@pytest.mark.parametrize("trap", TRAPS, ids=lambda trap: trap.name)
def test_every_trap_is_rejected_with_a_counterexample(
    trap: Trap, trap_outcomes: dict[str, CheckOutcome]
) -> None:
    """The real check rejects the rewrite and names the (shrunk) input it fails on."""
    verdict = trap_outcomes[trap.name].verdict
    assert isinstance(verdict, Mismatch), f"{trap.name}: {verdict}"
    assert verdict.counterexample
