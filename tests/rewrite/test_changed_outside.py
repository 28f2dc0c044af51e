"""What an edit for one target changes besides that target (composition checks those on their own
inputs): existing definitions only, never a program's file, nothing the edit merely adds."""

from __future__ import annotations

from optiagent.domain.targets import PROGRAM_QUALNAME
from optiagent.rewrite.compose import changed_outside

MODULE = """\
import re

LIMIT = 10


def helper(x):
    return x * 2


def target(xs):
    def inner(v):
        return v + 1

    return [helper(inner(x)) for x in xs]


class Box:
    def grow(self, n):
        return n + 1

    def other(self, n):
        return n - 1
"""


def test_changes_inside_the_target_or_new_statements_are_not_outside() -> None:
    edited = MODULE.replace(
        "return [helper(inner(x)) for x in xs]", "return list(map(lambda x: helper(inner(x)), xs))"
    )
    assert changed_outside(MODULE, edited, "target") == []
    hoisted = MODULE.replace("LIMIT = 10\n", "LIMIT = 10\n_PATTERN = re.compile('a')\n")
    assert changed_outside(MODULE, hoisted, "target") == []
    nested = MODULE.replace("return v + 1", "return 1 + v")
    assert changed_outside(MODULE, nested, "target.<locals>.inner") == []
    method = MODULE.replace("return n + 1", "return 1 + n")
    assert changed_outside(MODULE, method, "Box.grow") == []


def test_a_changed_helper_method_or_global_is_outside() -> None:
    helper = MODULE.replace("return x * 2", "return x + x")
    assert changed_outside(MODULE, helper, "target") == ["helper"]
    other = MODULE.replace("return n - 1", "return -1 + n")
    assert changed_outside(MODULE, other, "Box.grow") == ["Box.other"]
    constant = MODULE.replace("LIMIT = 10", "LIMIT = 11")
    assert changed_outside(MODULE, constant, "target") == ["LIMIT"]


def test_a_program_target_is_its_whole_file() -> None:
    program = MODULE.replace("LIMIT = 10", "LIMIT = 11").replace("return x * 2", "return x + x")
    assert changed_outside(MODULE, program, PROGRAM_QUALNAME) == []
