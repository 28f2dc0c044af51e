"""Keeps a bounded sample of the calls of each wrapped function: the first half of the budget,
then a reservoir sample of the rest (later, often larger, inputs matter)."""

from __future__ import annotations

import hashlib
import inspect
import json
import pickle
import random
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..shapes import Shape, describe, merge

PICKLE_PROTOCOL = 4
# (pickled (args, kwargs), pickled result or None, name of the raised exception type or None)
CallRecord = tuple[bytes, bytes | None, str | None]


@dataclass
class FunctionCalls:
    key: str  # "relpath::qualname"
    signature: inspect.Signature | None
    calls: int = 0
    skipped: int = 0
    kept: list[CallRecord] = field(default_factory=list)
    param_shapes: dict[str, Shape] = field(default_factory=dict)
    result_shape: Shape | None = None
    # Calls currently running; recursive inner calls pass straight through (capturing them would
    # cost more than the workload itself, and the outermost call is the input that matters).
    depth: int = 0


class Recorder:
    """Thread-safe call store. `admit` decides (before any pickling) whether a call is sampled."""

    def __init__(self, max_calls: int, max_bytes: int, seed: int) -> None:
        self.max_calls = max_calls
        self.max_bytes = max_bytes
        self._random = random.Random(seed)  # private: the workload's global random state is untouched
        self._lock = threading.Lock()
        self.functions: dict[str, FunctionCalls] = {}

    def reset(self, seed: int) -> None:
        """Forgets every call (in a forked child), keeping the registered functions."""
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        for calls in self.functions.values():
            calls.calls = calls.skipped = 0
            calls.kept.clear()
            calls.param_shapes.clear()
            calls.result_shape = None

    def register(self, key: str, function: Any) -> FunctionCalls:
        try:
            signature: inspect.Signature | None = inspect.signature(function)
        except (TypeError, ValueError):
            signature = None
        return self.functions.setdefault(key, FunctionCalls(key, signature))

    def admit(self, calls: FunctionCalls) -> int | None:
        """Counts the call; returns the slot to store it in, or None when it is not sampled."""
        with self._lock:
            seen = calls.calls
            calls.calls += 1
            if seen < self.max_calls:
                return seen
            head = self.max_calls // 2
            slot = self._random.randrange(seen - head + 1)
            return head + slot if slot < self.max_calls - head else None

    def arguments(self, calls: FunctionCalls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes | None:
        """Pickles the arguments (before the call: the function may mutate them) and records
        their shapes; None when they cannot be pickled within the byte bound."""
        self._record_shapes(calls, args, kwargs)
        return self._pickle((args, kwargs))

    def store(self, calls: FunctionCalls, slot: int, record: CallRecord) -> None:
        with self._lock:
            if slot < len(calls.kept):
                calls.kept[slot] = record
            else:
                calls.kept.append(record)

    def skip(self, calls: FunctionCalls) -> None:
        with self._lock:
            calls.skipped += 1

    def result(self, calls: FunctionCalls, value: Any) -> bytes | None:
        shape = describe(value)
        with self._lock:
            calls.result_shape = shape if calls.result_shape is None else merge(calls.result_shape, shape)
        return self._pickle(value)

    def _pickle(self, value: Any) -> bytes | None:
        try:
            data = pickle.dumps(value, protocol=PICKLE_PROTOCOL)
        except Exception:  # unpicklable values are counted as skipped by the caller
            return None
        return data if len(data) <= self.max_bytes else None

    def _record_shapes(self, calls: FunctionCalls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            bound = calls.signature.bind(*args, **kwargs).arguments if calls.signature else None
        except TypeError:
            bound = None
        if bound is None:
            bound = {f"arg{i}": value for i, value in enumerate(args)} | kwargs
        shapes = {name: describe(value) for name, value in bound.items()}
        with self._lock:
            for name, shape in shapes.items():
                known = calls.param_shapes.get(name)
                calls.param_shapes[name] = shape if known is None else merge(known, shape)

    def write(self, directory: Path, token: str) -> None:
        """Writes `calls-<token>-<hash>.pkl` per function and `index-<token>.json`."""
        index: dict[str, Any] = {}
        for key, calls in sorted(self.functions.items()):
            if not calls.calls:
                continue
            entry: dict[str, Any] = {
                "calls": calls.calls,
                "captured": len(calls.kept),
                "skipped": calls.skipped,
            }
            if calls.kept:
                name = f"calls-{token}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.pkl"
                (directory / name).write_bytes(pickle.dumps(list(calls.kept), protocol=PICKLE_PROTOCOL))
                entry["pickle"] = name
            entry["shapes"] = [{"name": n, "shape": s} for n, s in self._ordered_shapes(calls)]
            entry["result_shape"] = calls.result_shape
            index[key] = entry
        (directory / f"index-{token}.json").write_text(json.dumps(index, default=repr))

    @staticmethod
    def _ordered_shapes(calls: FunctionCalls) -> list[tuple[str, Shape]]:
        order = list(calls.signature.parameters) if calls.signature else []
        rank = {name: i for i, name in enumerate(order)}
        return sorted(calls.param_shapes.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))
