"""Where inputs come from inside the box: captured calls, docstring examples, generated and stress."""

from __future__ import annotations

import inspect
import itertools
import pickle
import random
import sys
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .capture.pickling import dumps
from .packing import unpack

CallArgs = tuple[tuple[Any, ...], dict[str, Any]]


@dataclass
class CapturedCall:
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


def pickled_size(value: Any) -> int:
    """How large an input is, without calling its `__repr__`: a repr can fill a lazy cache of the
    object (pyparsing elements cache their default name), and the pristine inputs the original's
    outcomes were recorded on would then differ from what candidates are given."""
    try:
        return len(dumps(value, 4))
    except Exception:
        return sys.maxsize


def load_captured(paths: list[str]) -> list[CapturedCall]:
    """Unpickle captured calls (only ever inside the sandbox: these bytes are untrusted)."""
    calls: list[CapturedCall] = []
    for path in paths:
        try:
            records = pickle.loads(unpack(Path(path).read_bytes()))
        except Exception:
            continue
        for record in records:
            try:
                args, kwargs = pickle.loads(record[0])
            except Exception:
                continue
            calls.append(CapturedCall(tuple(args), dict(kwargs)))
    return calls


def capture_problems(paths: list[str]) -> list[str]:
    """Why the workload's calls of the target could not be kept (recorded by the capture), or
    could not be loaded here (the first loading error, by type and message)."""
    problems: list[str] = []
    for path in paths:
        try:
            records = pickle.loads(unpack(Path(path).read_bytes()))
        except Exception as error:
            problems.append(f"the captured calls could not be read: {type(error).__name__}: {error}"[:300])
            continue
        for record in records:
            marker = record[2] if len(record) > 2 else None
            if not record[0] and isinstance(marker, str) and marker.startswith("<not captured>"):
                problems.append(marker.removeprefix("<not captured>").strip())
            elif record[0] and not any(p.startswith("a captured call could not be loaded") for p in problems):
                try:
                    pickle.loads(record[0])
                except Exception as error:
                    problems.append(
                        f"a captured call could not be loaded in the check: {type(error).__name__}: {error}"[
                            :300
                        ]
                    )
    return problems


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


_ORDERED_KINDS = ({int, float}, {str}, {bytes})  # exact types whose values sort totally (NaN aside)


def _order(items: list[Any]) -> int:
    """1 when the items ascend (each <= the next), -1 when they descend, else 0: only numbers,
    strs or bytes, two at least (a partial order such as sets' <= would not sort a grown list)."""
    kinds = {type(item) for item in items}
    if len(items) < 2 or not any(kinds <= allowed for allowed in _ORDERED_KINDS):
        return 0
    pairs = list(itertools.pairwise(items))
    if all(a <= b for a, b in pairs):  # NaN compares false both ways: no order
        return 1
    if all(a >= b for a, b in pairs):
        return -1
    return 0


def _scale_list(items: list[Any], factor: int, rng: random.Random) -> list[Any]:
    if not items:
        return items
    target = len(items) * factor
    ints = [x for x in items if type(x) is int]
    if len(ints) == len(items):
        low, high = min(ints), max(ints)
        span = max(high - low, len(items))
        # widen the value range with the size so the share of duplicates stays about the same
        grown = [rng.randint(low, low + span * factor) for _ in range(target)]
    else:
        grown = [rng.choice(items) for _ in range(target)]
    # A sorted list grows sorted: the stress input is what samples time, and goldbach_pairs'
    # sorted primes, which its loop leaves by `break`, grown shuffled let it stop at once, so
    # OPT002's set measured 0.35x on work the workload never does (76.6x grown sorted).
    order = _order(items)
    if order:
        grown.sort(reverse=order < 0)
    return grown


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
