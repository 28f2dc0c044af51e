"""Stress inputs grow a captured input and keep its shape: a sorted list grows sorted.

The stress input is also what benchmark samples time: goldbach_pairs' sorted primes grown into a
shuffled list let its loop stop at once, so a set that is far faster on every captured call
measured 0.35x."""

from __future__ import annotations

import itertools
import random

from optiagent.harness.inputs import CapturedCall, scale_call, scale_value


def _ascends(values: list[object]) -> bool:
    return all(a <= b for a, b in itertools.pairwise(values))  # type: ignore[operator]


def test_an_ascending_int_list_grows_ascending() -> None:
    primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    grown = scale_value(primes, 8, random.Random(0))
    assert len(grown) == 80
    assert _ascends(grown)


def test_a_descending_list_grows_descending() -> None:
    words = ["pear", "melon", "kiwi", "fig", "apple"]
    grown = scale_value(words, 4, random.Random(1))
    assert len(grown) == 20
    assert set(grown) <= set(words)
    assert _ascends(list(reversed(grown)))


def test_an_unordered_list_is_not_sorted_when_it_grows() -> None:
    values = [5, 1, 9, 3, 7, 2, 8]
    grown = scale_value(values, 16, random.Random(2))
    assert not _ascends(grown) and not _ascends(list(reversed(grown)))


def test_values_without_a_total_order_keep_the_drawn_order() -> None:
    # sets ordered by inclusion, and floats with a NaN, show no order a grown list could keep
    for values in ([{1}, {1, 2}, {1, 2, 3}], [1.0, float("nan"), 2.0]):
        drawn = random.Random(3)
        expected = [drawn.choice(values) for _ in range(len(values) * 4)]
        assert scale_value(values, 4, random.Random(3)) == expected


def test_a_call_keeps_its_sorted_list_argument_sorted() -> None:
    call = CapturedCall((4000, [2, 3, 5, 7, 11, 13]), {})
    grown = scale_call(call, 32, seed=0, skip_first=False)
    assert grown.args[0] == 4000 * 32
    assert _ascends(grown.args[1])
