"""Constants mined from the code under test, to aim generated inputs at its branches.

A parser that checks `ch in "+-"` or a grader that compares `score >= 90` is exercised on its
interesting paths only when inputs contain those characters or sit at those boundaries, which
random values rarely do (fuzzers call this a dictionary). The original's own constants are a
fair source: the candidate must agree with the original on every input, wherever they come from.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

MAX_TOKEN_LEN = 12
MAX_TOKENS = 24
MAX_INTS = 24


@dataclass(frozen=True)
class Mined:
    tokens: tuple[str, ...] = ()  # short string constants
    ints: tuple[int, ...] = ()  # int constants and their neighbours (boundaries)
    chars: str = field(default="")  # every character of the tokens


def _constants(code: types.CodeType, depth: int = 0) -> Iterator[object]:
    if depth > 6:
        return
    for value in code.co_consts:
        if isinstance(value, types.CodeType):
            yield from _constants(value, depth + 1)
        elif isinstance(value, tuple | frozenset):
            yield from value
        else:
            yield value


def mine(function: Callable[..., Any]) -> Mined:
    code = getattr(function, "__code__", None)
    if not isinstance(code, types.CodeType):
        return Mined()
    doc = function.__doc__
    tokens: list[str] = []
    ints: set[int] = set()
    for value in _constants(code):
        if isinstance(value, str) and value and len(value) <= MAX_TOKEN_LEN and value != doc:
            if value not in tokens:
                tokens.append(value)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 10**9:
            ints.update((value - 1, value, value + 1))
    tokens = tokens[:MAX_TOKENS]
    chars = "".join(sorted({c for token in tokens for c in token}))
    return Mined(tuple(tokens), tuple(sorted(ints))[:MAX_INTS], chars)


MAX_EXPLICIT = 80


def seed_values(annotation: object, mined: Mined) -> list[Any]:
    """Deterministic first inputs for one parameter: each mined token alone and every pair of
    one-character tokens ("()", "[]", "1h"), the empty string; mined ints. Empty for other types."""
    if annotation is str:
        singles = [t for t in mined.tokens if len(t) == 1][:8]
        pairs = [a + b for a in singles for b in singles]
        return ["", *mined.tokens, *pairs]
    if annotation is int:
        return [0, 1, -1, *mined.ints]
    return []


def explicit_calls(seeds: list[list[Any]], defaults: list[Any]) -> list[tuple[Any, ...]]:
    """Calls that walk every parameter's seed list (others keep their default value): the first
    pass in step, then with different strides per parameter, so values meet in new pairs."""
    longest = max((len(s) for s in seeds), default=0)
    count = min(max(longest * 2, len(defaults)), MAX_EXPLICIT)
    calls: list[tuple[Any, ...]] = []
    for index in range(count):
        stride = 1 if index < longest else 2
        row = []
        for position, (seed, default) in enumerate(zip(seeds, defaults, strict=True)):
            row.append(seed[(index * (stride * position + 1)) % len(seed)] if seed else default)
        if tuple(row) not in calls:
            calls.append(tuple(row))
    return calls
