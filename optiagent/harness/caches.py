"""Clear memoization caches between calls so a cached candidate is timed and checked honestly."""

from __future__ import annotations

import types
from typing import Any


def clear_caches(module: types.ModuleType) -> None:
    for value in list(vars(module).values()):
        _clear(value)
        if isinstance(value, type) and value.__module__ == module.__name__:
            for attribute in list(vars(value).values()):
                _clear(getattr(attribute, "__func__", attribute))


def _clear(value: Any) -> None:
    clear = getattr(value, "cache_clear", None)
    if callable(clear):
        try:
            clear()
        except Exception:
            pass
