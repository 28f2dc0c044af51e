"""How the harness reaches a target from its qualified name: private (name-mangled) methods by
their discovery name; functions nested in another function through their enclosing function."""

from __future__ import annotations

import types

import pytest

from optiagent.harness.loading import is_method, owner_class, resolve, takes_context
from optiagent.harness.nested import Closure

SOURCE = """
class _Inline:
    def __handle(self, data):
        return data * 2

    @staticmethod
    def __helper(data):
        return data

    def run(self, data):
        return self.__handle(data)


def outer(data):
    def inner(x):
        return x
    return inner(data)
"""


def module() -> types.ModuleType:
    namespace = types.ModuleType("mod")
    exec(SOURCE, namespace.__dict__)
    return namespace


def test_private_methods_resolve_by_their_discovery_name() -> None:
    """`_Inline.__handle` is stored as `_Inline__handle`: resolved, and known as a method."""
    mod = module()
    handle = resolve(mod, "_Inline.__handle")
    assert handle(None, 3) == 6
    assert owner_class(mod, "_Inline.__handle") is mod._Inline
    assert is_method(mod, "_Inline.__handle")
    assert not is_method(mod, "_Inline.__helper")


def test_nested_functions_resolve_to_their_code_called_with_a_closure() -> None:
    """A function nested in another is rebuilt from its enclosing function's code: called with the
    closure a workload's call had, first; it takes a context like a method, has no owner class."""
    mod = module()
    inner = resolve(mod, "outer.<locals>.inner")
    assert inner(Closure("outer.<locals>.inner", (), [], None, None), 5) == 5
    assert owner_class(mod, "outer.<locals>.inner") is None and not is_method(mod, "outer.<locals>.inner")
    assert takes_context(mod, "outer.<locals>.inner") and not takes_context(mod, "outer")
    with pytest.raises(LookupError):
        resolve(mod, "outer.<locals>.missing")
