"""Module globals between a target's two runs on one input (differential.ModuleState): a container
the call left as its import did is not copied back again (pyparsing's `_builtin_exprs`, 69
elements with their grammars, cost 50 ms a reset, two resets per input), and one it changed, even
deep inside, is still reported and restored."""

from __future__ import annotations

import types
from typing import Any

from optiagent.harness.differential import ModuleState


class Element:
    copies = 0

    def __init__(self, name: str) -> None:
        self.name = name

    def __deepcopy__(self, memo: dict[int, Any]) -> Element:
        Element.copies += 1
        made = Element(self.name)
        memo[id(self)] = made
        return made


def _module() -> types.ModuleType:
    module = types.ModuleType("grammar")
    module.registry = [Element("empty"), Element("line_end")]  # type: ignore[attr-defined]
    module.counts = {"calls": 0}  # type: ignore[attr-defined]
    return module


def test_a_container_the_call_left_alone_is_not_copied_back() -> None:
    module = _module()
    state = ModuleState(module)
    state.reset()
    module.counts["calls"] += 1  # the call changes another global
    Element.copies = 0
    changed = state.changes_then_reset()
    assert set(changed) == {"counts"}
    assert Element.copies == 0  # `registry` was equal to its import-time state: left as it is
    assert module.counts == {"calls": 0}  # what changed is restored


def test_a_container_changed_deep_inside_is_reported_and_restored() -> None:
    module = _module()
    state = ModuleState(module)
    state.reset()
    kept = module.registry
    kept[0].name = "changed"  # an element mutated, the list itself the same object
    changed = state.changes_then_reset()
    assert set(changed) == {"registry"}
    assert module.registry is kept  # restored in place (aliases stay)
    assert [e.name for e in kept] == ["empty", "line_end"]
    kept.append(Element("extra"))  # and a plain reset (nothing known) restores everything
    state.reset()
    assert [e.name for e in kept] == ["empty", "line_end"]
