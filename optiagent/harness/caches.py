"""Clear memoization caches between calls so a cached candidate is timed and checked honestly.

`clear_caches` scans the module (its globals, its own classes' attributes, a twin's installed
methods) for objects with a `cache_clear` and clears them: it is called before every call in the
check. A scan costs a `getattr` per global and class attribute, which is far more than a small
function's own time (85 us a call for isodate's isostrf, 2.4 ms for pyparsing's core, against a 1 us
`re.sub` callback): timed per call, it diluted every speedup toward 1.0x. `ModuleCaches` scans once
and then clears what it found before each call; `changed` scans again to tell whether new caches
appeared since (the timing then falls back to a scan per call, see timing.py).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import Any

from .twins import candidate_classes


def _values(module: types.ModuleType) -> Iterator[Any]:
    """Everything that may hold a cache: globals, the module's own classes' attributes, a twin's methods."""
    for value in list(vars(module).values()):
        yield value
        if isinstance(value, type) and value.__module__ == module.__name__:
            for attribute in list(vars(value).values()):
                yield getattr(attribute, "__func__", attribute)
    classes = candidate_classes(module)
    for attribute in classes.candidate_values() if classes is not None else ():
        yield getattr(attribute, "__func__", attribute)  # a twin's methods, installed while it runs


def find_cache_clears(module: types.ModuleType) -> list[Callable[[], Any]]:
    """The `cache_clear` of every cache the module holds now."""
    found = []
    for value in _values(module):
        clear = getattr(value, "cache_clear", None)
        if callable(clear):
            found.append(clear)
    return found


def _run(clears: list[Callable[[], Any]]) -> None:
    for clear in clears:
        try:
            clear()
        except Exception:
            pass


def clear_caches(module: types.ModuleType) -> None:
    _run(find_cache_clears(module))


def _owners(clears: list[Callable[[], Any]]) -> list[int]:
    return [id(getattr(clear, "__self__", clear)) for clear in clears]


class ModuleCaches:
    """The caches a module holds, found once; `clear` empties them before a call."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.clears = find_cache_clears(module)
        self._owners = _owners(self.clears)

    def clear(self) -> None:
        _run(self.clears)

    def changed(self) -> bool:
        """Whether the module now holds other caches than when this was made (one was created or
        rebound since): then clearing only the found ones was not enough."""
        return _owners(find_cache_clears(self.module)) != self._owners
