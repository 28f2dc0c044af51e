"""Copies of captured inputs keep module references: a receiver that holds a module
(`self.util = util`) was pickled with the module by name, and `copy.deepcopy` (which every call,
check and benchmark sample makes of its inputs) refuses modules otherwise. Imported for effect."""

from __future__ import annotations

import copy
import pickle
import types
from typing import Any, TypeVar

_T = TypeVar("_T")


def _same(value: Any, *_: Any) -> Any:
    return value


for _table in (getattr(copy, "_deepcopy_dispatch", None), getattr(copy, "_copy_dispatch", None)):
    if isinstance(_table, dict):
        _table.setdefault(types.ModuleType, _same)


def fresh_copy(value: _T) -> _T:
    """`copy.deepcopy`, or a pickle round trip for what deepcopy cannot walk: deepcopy asks the
    instance for `__deepcopy__`, and a `__getattr__` that delegates to a missing attribute recurses
    (isodate's Duration, whose `__init__` receiver is captured before `__init__` sets its state)."""
    try:
        return copy.deepcopy(value)
    except RecursionError:
        return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))  # type: ignore[no-any-return]
