"""Module-global state is compared as what a call changed, per module instance, with functions,
classes and modules compared by qualified name (issue 11, failure case 4)."""

from __future__ import annotations

from optiagent.domain.verdicts import Equivalent, Mismatch

from .conftest import CheckRunner

# A dispatch table of functions and a list of namedtuples of functions (as in Markdown's or
# a tokenizer's registries): the original and a candidate hold different function objects.
DISPATCH = """
import collections
import re

Rule = collections.namedtuple("Rule", "pattern handler")


def _word(text):
    return ("word", text)


def _number(text):
    return ("number", int(text))


RULES = [Rule(re.compile(r"[0-9]+"), _number), Rule(re.compile(r"[a-z]+"), _word)]
HANDLERS = {"word": _word, "number": _number}
SEEN = []


def tokenize(text: str) -> list:
    out = []
    for piece in text.split():
        for rule in RULES:
            if rule.pattern.fullmatch(piece):
                out.append(rule.handler(piece))
                break
    SEEN.append(len(out))
    return out
"""

FASTER_DISPATCH = DISPATCH.replace(
    "    out = []\n    for piece in text.split():",
    "    out = []\n    rules = RULES\n    for piece in text.split():",
).replace("for rule in RULES:", "for rule in rules:")

WRONG_LOG = DISPATCH.replace("SEEN.append(len(out))", "SEEN.append(len(out) + 1)")

REGISTERING = """
HOOKS = []


def on_word(word):
    return word.upper()


def on_other(word):
    return word


def register(word: str) -> int:
    HOOKS.append(on_word if word.isalpha() else on_other)
    return len(HOOKS)
"""

REGISTERS_THE_OTHER = REGISTERING.replace(
    "HOOKS.append(on_word if word.isalpha() else on_other)", "HOOKS.append(on_other)"
)


def test_original_checked_against_itself_is_equivalent(run_check: CheckRunner) -> None:
    """Globals holding functions and namedtuples of functions do not make the original differ from itself."""
    outcome = run_check(DISPATCH, DISPATCH, "tokenize", max_examples=30)
    assert isinstance(outcome.verdict, Equivalent), outcome.verdict


def test_equivalent_rewrite_of_a_module_with_function_globals_is_accepted(run_check: CheckRunner) -> None:
    """A correct rewrite of such a function is not rejected for module-global state."""
    outcome = run_check(DISPATCH, FASTER_DISPATCH, "tokenize", max_examples=30)
    assert isinstance(outcome.verdict, Equivalent), outcome.verdict


def test_a_different_change_to_a_global_is_still_rejected(run_check: CheckRunner) -> None:
    """What the call appends to a global list is behaviour: a different value is a mismatch."""
    outcome = run_check(DISPATCH, WRONG_LOG, "tokenize", max_examples=30)
    assert isinstance(outcome.verdict, Mismatch)
    assert "module-global state differs after the call (SEEN)" in outcome.verdict.detail


def test_functions_stored_in_globals_compare_by_qualified_name(run_check: CheckRunner) -> None:
    """A call that registers a function is equivalent to itself and differs from one registering another."""
    same = run_check(REGISTERING, REGISTERING, "register", max_examples=30)
    assert isinstance(same.verdict, Equivalent), same.verdict
    other = run_check(REGISTERING, REGISTERS_THE_OTHER, "register", max_examples=30)
    assert isinstance(other.verdict, Mismatch)
    assert "HOOKS" in other.verdict.detail


COUNTER = """
import itertools
import random

_IDS = itertools.count(1)
_RNG = random.Random(7)


def label(name: str) -> str:
    return f"{name}-{next(_IDS)}-{_RNG.randint(0, 9)}"
"""


def test_module_counters_and_generators_restart_for_every_call(run_check: CheckRunner) -> None:
    """A module-level counter and seeded generator do not make the original nondeterministic."""
    outcome = run_check(COUNTER, COUNTER, "label", max_examples=30)
    assert isinstance(outcome.verdict, Equivalent), outcome.verdict
    skipping = run_check(COUNTER, COUNTER.replace("next(_IDS)", "next(_IDS) + 1"), "label", max_examples=30)
    assert isinstance(skipping.verdict, Mismatch)
