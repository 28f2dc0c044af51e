"""Structural equality of the harness: functions, classes and modules by qualified name; objects
without value equality by type and state; cycles and deep structures end."""

from __future__ import annotations

import copy
import itertools
import re
import time
import types
import xml.etree.ElementTree as etree
from collections.abc import Iterator

from optiagent.harness.compare import deep_equal

SOURCE = """
import collections

Rule = collections.namedtuple("Rule", "name handler")


def handler(text):
    return text


class Node:
    def __init__(self, value):
        self.value = value
        self.parent = self


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y


RULES = [Rule("a", handler)]
BY_TYPE = {Node: handler, int: handler}
"""


def twin_modules() -> tuple[types.ModuleType, types.ModuleType]:
    first, second = types.ModuleType("mod"), types.ModuleType("mod")
    exec(SOURCE, first.__dict__)
    exec(SOURCE, second.__dict__)
    return first, second


def test_functions_classes_and_modules_of_two_module_instances_are_equal() -> None:
    """Two executions of one module text hold equal globals, even keyed by classes."""
    first, second = twin_modules()
    assert deep_equal(first.RULES, second.RULES)
    assert deep_equal(first.BY_TYPE, second.BY_TYPE)
    assert deep_equal(first.Node, second.Node)
    assert deep_equal(first, second)
    assert not deep_equal(first.handler, second.Node)


def test_instances_compare_by_type_and_state_with_cycles() -> None:
    """Self-referencing objects and __slots__ objects compare by state, and differences are seen."""
    first, second = twin_modules()
    assert deep_equal(first.Node(3), second.Node(3))
    assert not deep_equal(first.Node(3), second.Node(4))
    assert deep_equal(first.Point(1, [2]), second.Point(1, [2]))
    assert not deep_equal(first.Point(1, [2]), second.Point(1, [3]))


def test_element_trees_and_bound_methods_compare_by_content() -> None:
    """ElementTree elements compare by tag, text, attributes and children; bound methods by receiver."""
    root = etree.Element("div")
    etree.SubElement(root, "p", {"class": "x"}).text = "hello"
    other = copy.deepcopy(root)
    assert deep_equal(root, other)
    assert deep_equal(root.iter, other.iter)
    other[0].text = "bye"
    assert not deep_equal(root, other)
    assert deep_equal(re.compile("a+").match("aaa"), re.compile("a+").match("aaa"))


def test_deep_structures_end_quickly() -> None:
    """A linked list 20,000 deep (too deep for recursion) compares in a bounded time."""
    first, second = twin_modules()

    def chain(module: types.ModuleType, length: int) -> object:
        head = None
        for index in range(length):
            node = module.Node(index)
            node.parent = head
            head = node
        return head

    started = time.perf_counter()
    assert deep_equal(chain(first, 20_000), chain(second, 20_000))
    assert time.perf_counter() - started < 10
    assert not deep_equal(chain(first, 500), chain(second, 501))


def test_iterators_held_in_state_compare_by_position() -> None:
    """A counter or list iterator kept in an object compares by where it is; a generator never equals."""
    first, second = twin_modules()
    one, other = first.Node(itertools.count(5)), second.Node(itertools.count(5))
    assert deep_equal(one, other)
    next(other.value)
    assert not deep_equal(one, other)

    def numbers() -> Iterator[int]:
        yield 1

    assert not deep_equal(numbers(), numbers())


def test_mutable_objects_must_be_shared_alike() -> None:
    """A receiver holding the caller's list is not equal to one holding a copy of it (a later
    mutation through either name shows the difference); immutable values may be shared or not."""

    class Holder:
        def __init__(self, tags: list[str]) -> None:
            self.tags = tags

    given, copied = ["a"], ["a"]
    stored, kept = ["a"], ["a"]
    assert deep_equal((Holder(given), given), (Holder(stored), stored))
    assert not deep_equal((Holder(given), given), (Holder(copied), kept))
    assert not deep_equal([given, given], [stored, kept])
    assert not deep_equal({"x": given, "y": given}, {"x": stored, "y": kept})
    text = ("a", 1)
    assert deep_equal([text, text], [("a", 1), ("a", 1)])


def test_classes_registered_as_mappings_compare_by_state() -> None:
    """A class registered as a MutableMapping that iterates its tokens, not its keys (pyparsing's
    ParseResults), is compared by state instead of crashing; a dict subclass by its stored items
    and its attributes, whatever its own `__getitem__` computes."""
    from collections.abc import MutableMapping

    class Results:
        def __init__(self, tokens: list[str], named: dict[str, str]) -> None:
            self.tokens, self.named = tokens, named

        def __iter__(self) -> Iterator[str]:
            return iter(self.tokens)

        def __getitem__(self, key: str) -> str:
            return self.named[key]

        def __len__(self) -> int:
            return len(self.tokens)

    MutableMapping.register(Results)
    assert deep_equal(Results(["(", "x"], {"a": "x"}), Results(["(", "x"], {"a": "x"}))
    assert not deep_equal(Results(["(", "x"], {"a": "x"}), Results(["(", "y"], {"a": "x"}))

    class Loud(dict[str, int]):
        def __getitem__(self, key: str) -> int:
            return 0

    first, second = Loud(a=1), Loud(a=2)
    assert not deep_equal(first, second)
    second["a"], second.tag = 1, "extra"  # type: ignore[attr-defined]
    assert not deep_equal(first, second)


class _Element:
    """An element whose own `__eq__` is costly and changes it (pyparsing's compares `vars()`
    through the whole grammar graph, and `element == "text"` parses the text)."""

    eq_calls = 0

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        _Element.eq_calls += 1
        self.name += "!"
        return isinstance(other, _Element) and vars(self) == vars(other)

    __hash__ = object.__hash__


def test_containers_of_objects_are_walked_without_their_own_eq() -> None:
    _Element.eq_calls = 0
    a = [_Element("x"), {"key": _Element("y")}]
    b = copy.deepcopy(a)
    assert deep_equal(a, b)
    assert deep_equal({"k": _Element("x")}, {"k": _Element("x")})
    assert not deep_equal([_Element("x")], [_Element("z")])
    assert _Element.eq_calls == 0
    assert isinstance(a[0], _Element) and a[0].name == "x"  # what is compared is left as it was


def test_containers_of_plain_values_keep_their_types() -> None:
    # `[1] == [1.0]` and `[1] == [True]`: the shortcut took them for equal, while the walk (and
    # `deep_equal(1, 1.0)` itself) tells an int from a float and a bool
    assert not deep_equal(1, 1.0)
    assert not deep_equal([1], [1.0])
    assert not deep_equal((0, 1), (False, True))
    assert not deep_equal({"size": 2}, {"size": 2.0})
    assert deep_equal([1, "a", 2.5, None], [1, "a", 2.5, None])
    assert deep_equal({"size": 2, "name": "x"}, {"name": "x", "size": 2})
