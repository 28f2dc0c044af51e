"""Module-global state is behaviour: what the catalogue's memoization rule refuses, the verifier catches."""

from __future__ import annotations

from optiagent.domain.verdicts import Equivalent, Mismatch
from optiagent.rewrite.catalogue import propose_rewrites

from .conftest import CheckRunner

LOGGING_FIB = """
CALLS: list[int] = []


def fib(n: int) -> int:
    if n > 25:
        raise ValueError("too large")
    CALLS.append(n)
    return n if n < 2 else fib(n - 1) + fib(n - 2)
"""

MEMOIZED_BY_HAND = """
import functools

CALLS: list[int] = []


@functools.cache
def fib(n: int) -> int:
    if n > 25:
        raise ValueError("too large")
    CALLS.append(n)
    return n if n < 2 else fib(n - 1) + fib(n - 2)
"""

PURE_FIB = "def fib(n: int) -> int:\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"


def test_memoize_rule_refuses_a_function_with_global_side_effects() -> None:
    """The precondition: no cache for a function that writes a module global."""
    assert not any("OPT001" in r.rules for r in propose_rewrites(LOGGING_FIB, "fib"))


def test_memoization_that_slips_through_is_rejected(run_check: CheckRunner) -> None:
    """A cached version (written by hand or by an LLM) changes what lands in CALLS: rejected."""
    outcome = run_check(LOGGING_FIB, MEMOIZED_BY_HAND, "fib", max_examples=30)
    assert isinstance(outcome.verdict, Mismatch)
    assert "module-global state" in outcome.verdict.detail


def test_pure_memoization_is_accepted(run_check: CheckRunner) -> None:
    """The rule's own candidate for a pure recursive function passes the same checks."""
    [rewrite] = [r for r in propose_rewrites(PURE_FIB, "fib") if "OPT001" in r.rules]
    outcome = run_check(PURE_FIB, rewrite.source, "fib", max_examples=30)
    assert isinstance(outcome.verdict, Equivalent)
