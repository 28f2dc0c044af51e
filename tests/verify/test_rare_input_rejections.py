"""Candidates that differ from the original only on rare inputs are rejected by validation."""

from __future__ import annotations

from optiagent.domain.verdicts import Equivalent, Mismatch, Nondeterministic

from .conftest import CheckRunner

DEDUPE = """
def dedupe(items: list[int]) -> list[int]:
    seen = []
    out = []
    for item in items:
        if item not in seen:
            seen.append(item)
            out.append(item)
    return out
"""


def test_equivalent_rewrite_is_accepted(run_check: CheckRunner) -> None:
    """A correct faster rewrite is judged equivalent, with generated inputs counted."""
    candidate = DEDUPE.replace("seen = []", "seen = set()").replace("seen.append(item)", "seen.add(item)")
    outcome = run_check(DEDUPE, candidate, "dedupe")
    assert isinstance(outcome.verdict, Equivalent)
    assert outcome.verdict.checked.get("hypothesis", 0) > 10


def test_duplicates_are_found(run_check: CheckRunner) -> None:
    """A candidate that forgets order-preserving dedupe (sorted set) is caught on duplicates/order."""
    candidate = DEDUPE.replace(
        "    seen = []\n    out = []\n    for item in items:\n        if item not in seen:\n"
        "            seen.append(item)\n            out.append(item)\n    return out",
        "    return sorted(set(items))",
    )
    outcome = run_check(DEDUPE, candidate, "dedupe")
    assert isinstance(outcome.verdict, Mismatch)
    assert outcome.verdict.source == "hypothesis"


def test_empty_input_difference_is_found(run_check: CheckRunner) -> None:
    """A candidate that crashes only on an empty list is rejected with the empty list as counterexample."""
    original = "def biggest(xs: list[int]) -> int | None:\n    return max(xs) if xs else None\n"
    candidate = "def biggest(xs: list[int]) -> int | None:\n    return sorted(xs)[-1]\n"
    outcome = run_check(original, candidate, "biggest")
    assert isinstance(outcome.verdict, Mismatch)
    assert "[]" in outcome.verdict.counterexample


def test_negative_numbers_difference_is_found(run_check: CheckRunner) -> None:
    """A candidate wrong only for negative numbers is rejected, shrunk to a small negative value."""
    original = "def magnitude(x: int) -> int:\n    return abs(x) * 2\n"
    candidate = "def magnitude(x: int) -> int:\n    return x * 2\n"
    outcome = run_check(original, candidate, "magnitude")
    assert isinstance(outcome.verdict, Mismatch)
    assert "(-1)" in outcome.verdict.counterexample


def test_unhashable_elements_are_found(run_check: CheckRunner) -> None:
    """Hoisting a set over unhashable elements raises TypeError where the original did not."""
    original = (
        "def shared(xs: list[list[int]], ys: list[list[int]]) -> int:\n"
        "    return sum(1 for x in xs if x in ys)\n"
    )
    candidate = (
        "def shared(xs: list[list[int]], ys: list[list[int]]) -> int:\n"
        "    ys_set = set(ys)\n    return sum(1 for x in xs if x in ys_set)\n"
    )
    outcome = run_check(original, candidate, "shared")
    assert isinstance(outcome.verdict, Mismatch)
    assert "TypeError" in outcome.verdict.detail


def test_in_place_mutation_is_behaviour(run_check: CheckRunner) -> None:
    """A candidate that sorts its argument in place instead of copying it is rejected."""
    original = "def ordered(xs: list[int]) -> list[int]:\n    return sorted(xs)\n"
    candidate = "def ordered(xs: list[int]) -> list[int]:\n    xs.sort()\n    return xs\n"
    outcome = run_check(original, candidate, "ordered")
    assert isinstance(outcome.verdict, Mismatch)
    assert "mutation" in outcome.verdict.detail


def test_different_exception_type_is_found(run_check: CheckRunner) -> None:
    """Raising KeyError where the original raised ValueError is a behaviour change."""
    original = (
        "def lookup(d: dict[str, int], k: str) -> int:\n"
        "    if k not in d:\n        raise ValueError(k)\n    return d[k]\n"
    )
    candidate = "def lookup(d: dict[str, int], k: str) -> int:\n    return d[k]\n"
    outcome = run_check(original, candidate, "lookup")
    assert isinstance(outcome.verdict, Mismatch)
    assert "ValueError" in outcome.verdict.detail and "KeyError" in outcome.verdict.detail


def test_randomness_is_nondeterministic(run_check: CheckRunner) -> None:
    """A function whose result depends on randomness is reported nondeterministic, not judged."""
    original = "import random\n\ndef jitter(x: int) -> float:\n    return x + random.random()\n"
    outcome = run_check(original, original.replace("x + ", "x+"), "jitter")
    assert isinstance(outcome.verdict, Nondeterministic)


def test_clock_is_nondeterministic(run_check: CheckRunner) -> None:
    """A function that reads the clock is reported nondeterministic."""
    original = (
        "import time\n\ndef stamp(x: int) -> tuple[int, int]:\n    return (x, time.perf_counter_ns())\n"
    )
    outcome = run_check(original, original.replace("(x, ", "(x,"), "stamp")
    assert isinstance(outcome.verdict, Nondeterministic)


BALANCED = """
def balanced(text: str) -> bool:
    pairs = {")": "(", "]": "["}
    stack = []
    for ch in text:
        if ch in "([":
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack[-1] != pairs[ch]:
                return False
            stack.pop()
    return not stack
"""


def test_structured_text_from_the_functions_own_constants(run_check: CheckRunner) -> None:
    """Only a balanced pair like "()" tells these apart: the code's constants make one early."""
    forgets_pop = BALANCED.replace("            stack.pop()\n", "")
    outcome = run_check(BALANCED, forgets_pop, "balanced", max_examples=30)
    assert isinstance(outcome.verdict, Mismatch)
    assert outcome.verdict.counterexample in ("('()')", "('[]')")


DEFAULTED = """
def shout(text: str, suffix: str = "!") -> str:
    return text.upper() + suffix
"""

HEAD_TO_HEAD = """
def wins(games: list[tuple[str, str]], team: str) -> int:
    return sum(1 for winner, _loser in games if winner == team)
"""


def test_a_changed_default_is_found(run_check: CheckRunner) -> None:
    """Generated calls sometimes leave a defaulted argument out, so the default itself is checked."""
    outcome = run_check(DEFAULTED, DEFAULTED.replace('"!"', '"?"'), "shout", max_examples=30)
    assert isinstance(outcome.verdict, Mismatch)
    assert "(" in outcome.verdict.counterexample and "suffix" not in outcome.verdict.counterexample


def test_arguments_that_must_be_equal_meet(run_check: CheckRunner) -> None:
    """Only a game won by `team` itself tells these apart: shared small values make one early."""
    never_counts = HEAD_TO_HEAD.replace("if winner == team", "if winner == team and winner != team")
    outcome = run_check(HEAD_TO_HEAD, never_counts, "wins", max_examples=30)
    assert isinstance(outcome.verdict, Mismatch)
