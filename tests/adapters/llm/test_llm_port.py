"""The port's values: request_hash is canonical, stable and sensitive to what shapes the completion."""

from __future__ import annotations

import dataclasses

import pytest

from optiagent.ports.llm import CompletionRequest, Message, RateLimitedError, Usage, request_hash

BASE = CompletionRequest(
    messages=(Message("system", "s"), Message("user", "u")), model="m", max_tokens=100, temperature=0.5
)


def test_request_hash_is_a_stable_sha256() -> None:
    """Equal requests hash equal, as 64 hex digits, across fresh instances."""
    twin = CompletionRequest(
        messages=(Message("system", "s"), Message("user", "u")), model="m", max_tokens=100, temperature=0.5
    )

    assert request_hash(BASE) == request_hash(twin)
    assert len(request_hash(BASE)) == 64
    assert int(request_hash(BASE), 16) >= 0


@pytest.mark.parametrize(
    "change",
    [
        {"model": "m2"},
        {"max_tokens": 101},
        {"temperature": 0.6},
        {"temperature": None},
        {"stop": ("x",)},
        {"sample": 1},
        {"messages": (Message("user", "s"), Message("user", "u"))},
        {"messages": (Message("system", "s"), Message("user", "u "))},
    ],
)
def test_request_hash_changes_with_anything_that_shapes_the_completion(change: dict[str, object]) -> None:
    """Model, limits, temperature, stop, sample, roles and contents all change the hash."""
    assert request_hash(dataclasses.replace(BASE, **change)) != request_hash(BASE)  # type: ignore[arg-type]  # parametrized fields


def test_values_are_frozen_and_usage_totals() -> None:
    """Requests are immutable; Usage adds up; RateLimitedError keeps its hint."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        BASE.model = "x"  # type: ignore[misc]  # proving immutability
    assert Usage(3, 4).total_tokens == 7
    assert RateLimitedError("429", retry_after=2.0).retry_after == 2.0
