"""Instances of a class defined inside a function are captured: pyparsing's `infix_notation` puts
instances of its local `_FB` class into every arithmetic grammar, and `And.parseImpl` (the hottest
parse method) crashed its capture: "Can't pickle local object 'infix_notation.<locals>._FB'"."""

from __future__ import annotations

import importlib
import pickle
import sys
from pathlib import Path

import pytest

from optiagent.harness.capture.pickling import dumps

GRAMMAR = """
import abc
import enum


class Element(abc.ABC):
    pass


class FollowedBy(Element):
    def __init__(self, expr):
        self.expr = expr

    def parse(self, text):
        return self.parseImpl(text, 0)


def infix():
    class _FB(FollowedBy):
        kind = "lookahead"

        def parseImpl(self, text, loc):
            return loc + len(text), [self.expr]

    _FB.__name__ = "FollowedBy>"
    return _FB


def slotted():
    class Pair:
        __slots__ = ("a", "b")

        def __init__(self):
            self.a, self.b = 1, 2

        def total(self):
            return self.a + self.b

    return Pair


def enumeration():
    class Colour(enum.Enum):
        RED = 1

    return Colour
"""


@pytest.fixture
def grammar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    (tmp_path / "grammar_local_classes.py").write_text(GRAMMAR)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("grammar_local_classes")
    sys.modules.pop("grammar_local_classes", None)


def test_instances_of_a_local_class_load_with_its_methods_bases_and_names(grammar) -> None:  # type: ignore[no-untyped-def]
    local_class = grammar.infix()
    first, second = pickle.loads(dumps([local_class("x"), local_class("y")], pickle.DEFAULT_PROTOCOL))
    assert type(first) is type(second)  # one rebuilt class for the pickle
    assert type(first).__qualname__ == "infix.<locals>._FB" and type(first).__name__ == "FollowedBy>"
    assert isinstance(first, grammar.FollowedBy)  # the base by reference: the module's own class
    assert isinstance(first, grammar.Element)  # an ABC below it: its registry is made again, not pickled
    assert first.parse("abc") == (3, ["x"]) and second.kind == "lookahead"


def test_a_local_class_with_slots(grammar) -> None:  # type: ignore[no-untyped-def]
    loaded = pickle.loads(dumps(grammar.slotted()(), pickle.DEFAULT_PROTOCOL))
    assert loaded.total() == 3


def test_a_local_class_its_metaclass_cannot_rebuild_is_refused_when_captured(grammar) -> None:  # type: ignore[no-untyped-def]
    """Refused at capture (reported as a capture problem), never a crash when the check loads it."""
    with pytest.raises(pickle.PicklingError, match="cannot be rebuilt"):
        dumps(grammar.enumeration().RED, pickle.DEFAULT_PROTOCOL)
