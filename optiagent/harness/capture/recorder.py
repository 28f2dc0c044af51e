"""Keeps a bounded sample of the calls of each wrapped function: the first half of the budget,
then a reservoir sample of the rest (later, often larger, inputs matter).

Bytes are bounded too, per function and per process: a parser's methods carry the parser as their
receiver (pycparser's CParser pickles to 0.5 MB with its LR tables), so 20 calls of each of 240
methods made 600 MB of pickles, 90 s of CPU for a 1 s workload, and a result too large to collect.
A function stops being sampled (a call then costs one comparison) once its kept calls reach
`max_function_bytes`, once the process's kept calls reach `max_total_bytes` (a function with no
call yet may still keep one, up to 1.5 times that), or after `GIVE_UP_AFTER` calls in a row that could
not be kept (too large, or unpicklable: the next ones would be too). Budgets count pickled bytes
as held in the workload's memory; large calls files are written compressed (../packing.py).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import pickle
import random
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..packing import pack
from ..shapes import Shape, describe, merge
from .pickling import dumps, problem

PICKLE_PROTOCOL = 4
# (pickled (args, kwargs), pickled result or None, name of the raised exception type or None)
CallRecord = tuple[bytes, bytes | None, str | None]
# A function none of whose calls could be kept gets one record saying why (no arguments): the
# check job reports it instead of asking for a workload that was already run.
NOT_CAPTURED = "<not captured>"
GIVE_UP_AFTER = 3
_NEVER = 1 << 62


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
    problem: str | None = None  # why the first skipped call could not be kept
    # The index of the next call to sample (reservoir sampling with skips, Li's Algorithm L): a
    # call below it costs one comparison, no lock and no random draw. Hot functions run millions
    # of times under a workload; per-call sampling made capture cost 2.5x the profiler itself.
    next_at: int = 0
    weight: float = 1.0
    kept_bytes: int = 0
    failures: int = 0  # calls in a row that could not be kept
    closed: bool = False  # sampling has stopped (byte budgets, or calls that cannot be kept)


class Recorder:
    """Thread-safe call store. `admit` decides (before any pickling) whether a call is sampled."""

    def __init__(
        self,
        max_calls: int,
        max_bytes: int,
        seed: int,
        max_function_bytes: int = 1 << 20,
        max_total_bytes: int = 96 << 20,
    ) -> None:
        self.max_calls = max_calls
        self.max_bytes = max_bytes
        self.max_function_bytes = max_function_bytes
        self.max_total_bytes = max_total_bytes
        self.total_bytes = 0
        self._random = random.Random(seed)  # private: the workload's global random state is untouched
        self._lock = threading.Lock()
        self.functions: dict[str, FunctionCalls] = {}

    def reset(self, seed: int) -> None:
        """Forgets every call (in a forked child), keeping the registered functions."""
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.total_bytes = 0
        for calls in self.functions.values():
            calls.calls = calls.skipped = calls.next_at = calls.kept_bytes = calls.failures = 0
            calls.closed = False
            calls.weight = 1.0
            calls.problem = None
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
        """Counts the call; returns the slot to store it in, or None when it is not sampled.

        The first half of `max_calls` keeps the first calls; the other half is a uniform
        reservoir sample of all later calls (Algorithm L: the gap to the next sampled call is
        drawn once per sample, so unsampled calls are skipped by `skips`)."""
        with self._lock:
            seen = calls.calls
            calls.calls += 1
            if calls.closed:
                return None
            if not calls.kept and 2 * self.total_bytes >= 3 * self.max_total_bytes:
                self._close(calls, "the capture's byte budget was spent on other functions' calls")
                return None
            head = self.max_calls // 2
            size = self.max_calls - head
            if seen < self.max_calls:
                calls.next_at = seen + 1
                if seen + 1 == self.max_calls:
                    calls.weight = 1.0
                    self._advance(calls, size)
                return seen
            if seen < calls.next_at or size == 0:
                return None
            self._advance(calls, size)
            return head + self._random.randrange(size)

    def _advance(self, calls: FunctionCalls, size: int) -> None:
        if size == 0:
            calls.next_at = 1 << 62
            return
        calls.weight *= math.exp(math.log(1.0 - self._random.random()) / size)
        gap = math.log(1.0 - self._random.random()) / math.log1p(-calls.weight) if calls.weight < 1.0 else 0.0
        calls.next_at = calls.calls + int(min(gap, 1 << 62))

    @staticmethod
    def skips(calls: FunctionCalls) -> bool:
        """A call before the next sampled one: counted, nothing else (no lock: a rare lost count
        under threads only blurs a statistic)."""
        if calls.calls < calls.next_at:
            calls.calls += 1
            return True
        return False

    def arguments(self, calls: FunctionCalls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes | None:
        """Pickles the arguments (before the call: the function may mutate them) and records
        their shapes; None when they cannot be pickled within the byte bound."""
        self._record_shapes(calls, args, kwargs)
        return self._pickle((args, kwargs), calls)

    def shapes(self, calls: FunctionCalls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Records the arguments' shapes only (their pickle is made after the call)."""
        self._record_shapes(calls, args, kwargs)

    def pickled_arguments(
        self, calls: FunctionCalls, arguments: tuple[tuple[Any, ...], dict[str, Any]]
    ) -> bytes | None:
        """Pickles (args, kwargs) as given; None when they cannot be pickled within the byte bound."""
        return self._pickle(arguments, calls)

    def store(self, calls: FunctionCalls, slot: int, record: CallRecord) -> None:
        size = _size(record)
        with self._lock:
            if slot < len(calls.kept):
                replaced = _size(calls.kept[slot])
                calls.kept[slot] = record
            else:
                replaced = 0
                calls.kept.append(record)
            calls.kept_bytes += size - replaced
            self.total_bytes += size - replaced
            calls.failures = 0
            if calls.kept_bytes >= self.max_function_bytes or self.total_bytes >= self.max_total_bytes:
                self._close(calls, None)

    def skip(self, calls: FunctionCalls) -> None:
        with self._lock:
            calls.skipped += 1
            calls.failures += 1
            if calls.failures >= GIVE_UP_AFTER:
                self._close(calls, None)

    @staticmethod
    def _close(calls: FunctionCalls, reason: str | None) -> None:
        """No more calls of this function are sampled; `skips` passes them straight through."""
        calls.closed = True
        calls.next_at = _NEVER
        if reason is not None and calls.problem is None:
            calls.problem = reason

    def result(self, calls: FunctionCalls, value: Any) -> bytes | None:
        shape = describe(value)
        with self._lock:
            calls.result_shape = shape if calls.result_shape is None else merge(calls.result_shape, shape)
        return self._pickle(value, None)

    def _pickle(self, value: Any, calls: FunctionCalls | None) -> bytes | None:
        """The value pickled (modules, functions and lambdas included: pickling.py), or None when
        it cannot be or exceeds the byte bound; the first reason is kept for the arguments."""
        reason: str | None = None
        try:
            data: bytes | None = dumps(value, PICKLE_PROTOCOL)
        except (Exception, RecursionError) as error:  # counted as skipped by the caller
            data, reason = None, problem(error)
        if data is not None and len(data) > self.max_bytes:
            data, reason = None, f"pickled arguments over {self.max_bytes} bytes"
        if reason is not None and calls is not None and calls.problem is None:
            calls.problem = reason
        return data

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
            if calls.problem is not None:
                entry["problem"] = calls.problem
            records = list(calls.kept)
            if not records and calls.problem is not None:
                records = [(b"", None, f"{NOT_CAPTURED} {calls.problem}")]
            if records:
                name = f"calls-{token}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.pkl"
                (directory / name).write_bytes(pack(pickle.dumps(records, protocol=PICKLE_PROTOCOL)))
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


def _size(record: CallRecord) -> int:
    return len(record[0]) + len(record[1] or b"")
