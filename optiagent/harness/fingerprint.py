"""Functional hashing: a behavioural fingerprint of a candidate on a fixed set of probe inputs.

Candidates with equal fingerprints compute the same thing the same way, so the job validates and
the host benchmarks only one of them. Outputs alone are not enough: every correct candidate
agrees with the original, so outputs would lump a linear rewrite with a quadratic one. The count of
bytecode instructions executed on each probe separates different algorithms and, unlike a timing,
is exactly repeatable; renamed variables, reformatting and reordered independent statements of the
same algorithm keep it.
"""

from __future__ import annotations

import hashlib
import sys
import types
from collections.abc import Callable
from typing import Any

from .caches import clear_caches
from .copying import fresh_copy
from .inputs import CapturedCall, pickled_size
from .outcome import run_call, safe_repr
from .timer import CallTimeout, time_limit

PROBES = 6  # small inputs only: tracing costs tens of times the untraced call
_MAX_OPCODES = 2_000_000
_PROBE_TIMEOUT_S = 1.0


class _OpcodeBudgetExceeded(Exception):
    pass


def canonical(value: Any, depth: int = 0) -> str:
    """A text that is equal for equal values, whatever the iteration order of sets and dicts."""
    if depth > 20:
        return "..."
    if isinstance(value, dict):
        items = sorted(f"{canonical(k, depth + 1)}:{canonical(v, depth + 1)}" for k, v in value.items())
        return f"{type(value).__name__}{{{','.join(items)}}}"
    if isinstance(value, set | frozenset):
        return f"{type(value).__name__}{{{','.join(sorted(canonical(v, depth + 1) for v in value))}}}"
    if isinstance(value, list | tuple):
        return f"{type(value).__name__}[{','.join(canonical(v, depth + 1) for v in value)}]"
    if isinstance(value, float):
        return "nan" if value != value else repr(value)
    text = safe_repr(value)
    return text if " at 0x" not in text else type(value).__name__


def count_opcodes(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> int | None:
    """Bytecode instructions executed by one call (Python frames only), or None past the cap."""
    count = 0

    def local(frame: types.FrameType, event: str, _arg: Any) -> Any:
        nonlocal count
        if event == "opcode":
            count += 1
            if count > _MAX_OPCODES:
                raise _OpcodeBudgetExceeded
        return local

    def global_(frame: types.FrameType, _event: str, _arg: Any) -> Any:
        frame.f_trace_opcodes = True
        return local

    args_copy, kwargs_copy = fresh_copy((args, kwargs))
    sys.settrace(global_)
    try:
        function(*args_copy, **kwargs_copy)
    except _OpcodeBudgetExceeded:
        return None
    except (Exception, SystemExit):
        pass  # the exception is part of the outputs, compared separately
    finally:
        sys.settrace(None)
    return count


def fingerprint(
    function: Callable[..., Any],
    module: types.ModuleType,
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]],
) -> str | None:
    """Hash of (outputs, opcode counts) over the probes; None when a probe is too long to trace."""
    digest = hashlib.sha256()
    for args, kwargs in calls:
        clear_caches(module)
        try:
            with time_limit(_PROBE_TIMEOUT_S):
                outcome = run_call(function, args, kwargs)
                clear_caches(module)
                opcodes = count_opcodes(function, args, kwargs)
        except CallTimeout:
            return None
        if opcodes is None:
            return None
        observed = (outcome.result, outcome.raised, outcome.stdout, outcome.args_after)
        digest.update(f"{canonical(observed)}|{opcodes}\n".encode("utf-8", "replace"))
    return digest.hexdigest()[:32]


def probe_calls(captured: list[CapturedCall], seeds: list[CapturedCall]) -> list[CapturedCall]:
    """The fixed probe set: the smallest real and generated inputs (smallest by rendered size)."""
    pool = [*captured, *seeds]
    sized = sorted(range(len(pool)), key=lambda i: (_size(pool[i]), i))
    return [pool[i] for i in sized[:PROBES]]


def _size(call: CapturedCall) -> int:
    try:
        return pickled_size((call.args, call.kwargs))
    except Exception:
        return sys.maxsize
