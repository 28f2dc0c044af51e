"""Contract-wide strategies: what the declared types admit beyond the workload's kinds."""

from __future__ import annotations

import copy
import math
import typing
from collections.abc import Iterable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optiagent.harness.compare import deep_equal
from optiagent.harness.contract import UNANNOTATED, FoldedStr, OneShot, contract_strategy, internal
from optiagent.harness.shapes import describe


def _draws(annotation: object, sample: object, count: int = 200) -> list[Any]:
    strategy, wider = contract_strategy(annotation, describe(sample), None)
    assert strategy is not None and wider
    seen: list[Any] = []

    @settings(max_examples=count, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value: Any) -> None:
        seen.append(value)

    collect()
    return seen


def _flat(values: list[Any]) -> list[Any]:
    return [item for value in values if isinstance(value, list | tuple) for item in value]


def test_a_bare_list_of_captured_ints_also_holds_unhashables_none_and_subclasses() -> None:
    """Bare `list` leaves elements open: kinds the int workload never showed appear."""
    items = _flat(_draws(list, [1, 2, 3]))
    assert any(isinstance(i, list | dict | set) for i in items)
    assert any(i is None for i in items)
    assert any(isinstance(i, FoldedStr) for i in items)
    assert any(type(i) is int for i in items)  # the captured kind stays


def test_list_of_int_admits_bools_and_equal_twins() -> None:
    """`list[int]` widens only as far as int does: bools, next to an equal int in some list."""
    lists = _draws(list[int], [1, 2])
    assert all(isinstance(i, int) for xs in lists for i in xs)
    assert any(
        True in [i for i in xs if type(i) is bool] and 1 in [i for i in xs if type(i) is int] for xs in lists
    )


def test_floats_admit_nan_infinities_and_ints() -> None:
    """`float` admits int (PEP 484), NaN and infinities."""
    items = _flat(_draws(list[float], [1.5]))
    assert any(isinstance(i, float) and math.isnan(i) for i in items)
    assert any(i == math.inf for i in items) and any(type(i) is int for i in items)


def test_iterable_admits_one_shot_iterables_and_tuples() -> None:
    """`Iterable` is not a list: tuples and iterables that can be walked once appear."""
    values = _draws(Iterable[int], [1, 2])
    assert any(isinstance(v, OneShot) for v in values) and any(isinstance(v, tuple) for v in values)


def test_narrow_types_without_numbers_are_not_wider() -> None:
    """A type the contract cannot widen gives no contract examples."""
    assert contract_strategy(bytes, describe(b"a"), None)[1] is False
    assert contract_strategy(UNANNOTATED, None, None) == (None, False)


def test_one_shot_compares_by_state_and_a_second_pass_sees_nothing() -> None:
    """Consumed iterables compare equal when consumed alike (arguments are compared after calls)."""
    first, second = OneShot([1, 2]), copy.deepcopy(OneShot([1, 2]))
    assert list(first) == [1, 2] and list(first) == []
    assert not deep_equal(first, second)
    list(second)
    assert deep_equal(first, second)


def test_internal_functions_are_private_or_nested() -> None:
    """Only project-internal functions keep the captured domain for unannotated parameters."""
    assert internal("_helper") and internal("Parser._scan") and internal("outer.<locals>.inner")
    assert not internal("parse") and not internal("Parser.__init__")


def test_folded_str_equals_plain_but_hashes_apart() -> None:
    """The subclass is a legal str whose set lookups differ from list scans."""
    assert FoldedStr("a") == "A" and "a" in [FoldedStr("a")]
    assert "a" not in {FoldedStr("a")}


@given(st.data())
def test_every_contract_value_survives_deepcopy_and_repr(data: st.DataObject) -> None:
    """Inputs are deep-copied per call and keyed by repr: every drawn value allows both."""
    strategy, _ = contract_strategy(typing.Any, None, None)
    assert strategy is not None
    value = data.draw(strategy)
    assert repr(copy.deepcopy(value)) == repr(value)
