"""Where inputs come from inside the box: captured calls, docstring examples, generated and stress."""

from __future__ import annotations

import inspect
import pickle
import random
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CallArgs = tuple[tuple[Any, ...], dict[str, Any]]


@dataclass
class CapturedCall:
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


def load_captured(paths: list[str]) -> list[CapturedCall]:
    """Unpickle captured calls (only ever inside the sandbox: these bytes are untrusted)."""
    calls: list[CapturedCall] = []
    for path in paths:
        try:
            records = pickle.loads(Path(path).read_bytes())
        except Exception:
            continue
        for record in records:
            try:
                args, kwargs = pickle.loads(record[0])
            except Exception:
                continue
            calls.append(CapturedCall(tuple(args), dict(kwargs)))
    return calls


def parameter_names(function: Callable[..., Any]) -> list[inspect.Parameter]:
    try:
        return list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return []


def type_hints(function: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(function)
    except Exception:
        return {}


# ---- stress: scale an input up by a factor, deterministically ------------------------------------


def _scale_list(items: list[Any], factor: int, rng: random.Random) -> list[Any]:
    if not items:
        return items
    target = len(items) * factor
    ints = [x for x in items if type(x) is int]
    if len(ints) == len(items):
        low, high = min(ints), max(ints)
        span = max(high - low, len(items))
        # widen the value range with the size so the share of duplicates stays about the same
        return [rng.randint(low, low + span * factor) for _ in range(target)]
    return [rng.choice(items) for _ in range(target)]


def _scale_str(text: str, factor: int, rng: random.Random) -> str:
    if not text:
        return text
    lines = text.splitlines(keepends=True)
    if len(lines) > 1:
        return "".join(rng.choice(lines) for _ in range(len(lines) * factor))
    return "".join(rng.choice(text) for _ in range(len(text) * factor))


def scale_value(value: Any, factor: int, rng: random.Random, top_level: bool = True) -> Any:
    """Grow collections (and top-level sizes given as ints) by `factor`, keeping their shape."""
    if factor <= 1:
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and top_level:
        return value * factor if 0 < value < 10**6 else value
    if isinstance(value, str):
        return _scale_str(value, factor, rng)
    if type(value) is list:
        return _scale_list(value, factor, rng)
    if type(value) is tuple and len(value) > 8:
        return tuple(_scale_list(list(value), factor, rng))
    if type(value) is set:
        return set(_scale_list(list(value), factor, rng))
    if type(value) is dict and value:
        keys = list(value)
        if all(type(k) is str for k in keys):
            grown: dict[Any, Any] = {}
            for index in range(len(keys) * factor):
                key = rng.choice(keys)
                grown[f"{key}{index}"] = value[key]
            return grown
    return value


def shrink_value(value: Any, divisor: int) -> Any:
    """A prefix of a collection or text (1/divisor of it); other values unchanged."""
    if isinstance(value, str):
        lines = value.splitlines(keepends=True)
        if len(lines) > 1:
            return "".join(lines[: max(1, len(lines) // divisor)])
        return value[: max(1, len(value) // divisor)]
    if type(value) in (list, tuple):
        return type(value)(value[: max(1, len(value) // divisor)])
    if type(value) is dict:
        return dict(list(value.items())[: max(1, len(value) // divisor)])
    return value


def shrink_call(call: CapturedCall, divisor: int, skip_first: bool) -> CapturedCall:
    args = list(call.args)
    for index in range(1 if skip_first else 0, len(args)):
        args[index] = shrink_value(args[index], divisor)
    return CapturedCall(tuple(args), {k: shrink_value(v, divisor) for k, v in call.kwargs.items()})


def scale_call(call: CapturedCall, factor: int, seed: int, skip_first: bool) -> CapturedCall:
    rng = random.Random(seed)
    args = list(call.args)
    start = 1 if skip_first else 0
    for index in range(start, len(args)):
        # only the first top-level int is read as a size; others are often indices or flags
        args[index] = scale_value(args[index], factor, rng)
    kwargs = {name: scale_value(value, factor, rng) for name, value in call.kwargs.items()}
    return CapturedCall(tuple(args), kwargs)


def doc_examples(raw: list[list[str]]) -> Iterator[str]:
    for expression, _expected in raw:
        yield expression
