"""Fresh copies of captured inputs, also for objects `copy.deepcopy` cannot walk."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from optiagent.harness.copying import fresh_copy
from optiagent.harness.outcome import run_call


class Delegating:
    """isodate's Duration: attributes it lacks come from `self.tdelta`, which `__init__` sets."""

    def __init__(self, days: int = 0) -> None:
        self.tdelta = timedelta(days)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tdelta, name)

    def __getstate__(self) -> dict[str, Any]:
        return self.__dict__

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def test_a_receiver_captured_before_init_is_copied() -> None:
    """deepcopy recurses on it (it asks the blank instance for __deepcopy__); the copy is a new,
    equally blank instance, and `__init__` then runs on it as on the original."""
    blank = Delegating.__new__(Delegating)
    with pytest.raises(RecursionError):
        copy.deepcopy(blank)
    (copied,), _ = fresh_copy(((blank,), {}))
    assert type(copied) is Delegating and copied is not blank and copied.__dict__ == {}
    outcome = run_call(Delegating.__init__, (blank, 3), {})
    assert outcome.raised is None, outcome.describe()
    assert blank.__dict__ == {}  # the caller's input stays pristine


def test_plain_values_are_still_deep_copies() -> None:
    value: dict[str, list[list[int]]] = {"a": [[1, 2]], "b": [[3]]}
    copied = fresh_copy(value)
    assert copied == value and copied["a"] is not value["a"] and copied["b"][0] is not value["b"][0]
