"""Capturing wrappers that keep behaviour: same result or exception, same generator / coroutine
nature, `functools.wraps` metadata and `__wrapped__`. Each wrapper gets its own code object
(file "<optiagent-capture>", line = its index) so the profile can fold it back into the function."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .pickling import WRAPPER_FILENAME as WRAPPER_FILENAME  # re-exported: wrappers own the name
from .recorder import FunctionCalls, Recorder
from .streams import PendingCall, has_generator, intercept

_inside = threading.local()  # set while capture bookkeeping runs: calls made by pickling pass through


class WrapperRegistry:
    """Maps each wrapper's profile key back to the profile key of the function it wraps."""

    def __init__(self) -> None:
        self.originals: dict[int, tuple[str, int, str]] = {}

    def unique_code(self, wrapper: Callable[..., Any], original: Callable[..., Any]) -> None:
        code = original.__code__
        index = len(self.originals) + 1
        self.originals[index] = (code.co_filename, code.co_firstlineno, code.co_name)
        wrapper.__code__ = wrapper.__code__.replace(
            co_filename=WRAPPER_FILENAME, co_firstlineno=index, co_name=code.co_name
        )


@dataclass
class _Sampled:
    slot: int
    arguments: bytes | None  # pickled before the call; None while generator arguments are read
    pending: PendingCall | None = None

    def call_arguments(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """What the function is called with: its arguments, generators swapped for recording ones."""
        return (self.pending.args, self.pending.kwargs) if self.pending is not None else (args, kwargs)


def _before(
    recorder: Recorder, calls: FunctionCalls, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> _Sampled | None:
    """Samples the call and pickles its arguments before it runs; None when not recorded.

    Generator arguments are read by the call, so they are recorded as it reads them and the
    arguments are pickled after it (from a copy made now: see streams.py)."""
    if getattr(_inside, "active", False):
        return None
    _inside.active = True
    try:
        slot = recorder.admit(calls)
        if slot is None:
            return None
        if has_generator(args, kwargs):
            recorder.shapes(calls, args, kwargs)
            return _Sampled(slot, None, intercept(args, kwargs))
        pickled = recorder.arguments(calls, args, kwargs)
        if pickled is None:
            recorder.skip(calls)
            return None
        return _Sampled(slot, pickled)
    except Exception:  # capture must never change the workload's behaviour
        return None
    finally:
        _inside.active = False


def _arguments_now(recorder: Recorder, calls: FunctionCalls, sampled: _Sampled) -> bytes | None:
    """The pickled arguments: as taken before the call, or the copy with its streams as read."""
    if sampled.pending is None:
        return sampled.arguments
    sampled.pending.finish()
    pickled = recorder.pickled_arguments(calls, sampled.pending.snapshot)
    if pickled is None:
        recorder.skip(calls)
    return pickled


def _after(
    recorder: Recorder,
    calls: FunctionCalls,
    sampled: _Sampled,
    result: Any,
    raised: BaseException | None,
) -> None:
    _inside.active = True
    try:
        arguments = _arguments_now(recorder, calls, sampled)
        if arguments is None:
            return
        if raised is not None:
            recorder.store(calls, sampled.slot, (arguments, None, type(raised).__qualname__))
        else:
            recorder.store(calls, sampled.slot, (arguments, recorder.result(calls, result), None))
    except Exception:  # capture must never change the workload's behaviour
        pass
    finally:
        _inside.active = False


def _store_arguments(recorder: Recorder, calls: FunctionCalls, sampled: _Sampled) -> None:
    """A generator's or coroutine's call: its arguments only (results are not recorded)."""
    _inside.active = True
    try:
        arguments = _arguments_now(recorder, calls, sampled)
        if arguments is not None:
            recorder.store(calls, sampled.slot, (arguments, None, None))
    except Exception:  # capture must never change the workload's behaviour
        pass
    finally:
        _inside.active = False


def wrap_function(
    function: Callable[..., Any], key: str, recorder: Recorder, registry: WrapperRegistry
) -> Callable[..., Any] | None:
    """A capturing wrapper for a plain, generator or coroutine function; None for other kinds."""
    calls = recorder.register(key, function)
    wrapper: Callable[..., Any]
    if inspect.isasyncgenfunction(function):
        return None
    if inspect.isgeneratorfunction(function):

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            sampled = _before(recorder, calls, args, kwargs)
            if sampled is None:
                return (yield from function(*args, **kwargs))
            if sampled.pending is None:
                _store_arguments(recorder, calls, sampled)
                return (yield from function(*args, **kwargs))
            call_args, call_kwargs = sampled.call_arguments(args, kwargs)
            try:
                return (yield from function(*call_args, **call_kwargs))
            finally:  # the streams are read as far as this generator's consumer took it
                _store_arguments(recorder, calls, sampled)

    elif inspect.iscoroutinefunction(function):

        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            sampled = _before(recorder, calls, args, kwargs)
            if sampled is None:
                return await function(*args, **kwargs)
            call_args, call_kwargs = sampled.call_arguments(args, kwargs)
            try:
                return await function(*call_args, **call_kwargs)
            finally:
                _store_arguments(recorder, calls, sampled)

    else:

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if calls.depth or recorder.skips(calls):
                return function(*args, **kwargs)
            calls.depth += 1
            try:
                sampled = _before(recorder, calls, args, kwargs)
                if sampled is None:
                    return function(*args, **kwargs)
                call_args, call_kwargs = sampled.call_arguments(args, kwargs)
                try:
                    result = function(*call_args, **call_kwargs)
                except BaseException as error:
                    _after(recorder, calls, sampled, None, error)
                    raise
                _after(recorder, calls, sampled, result, None)
                return result
            finally:
                calls.depth -= 1

    functools.update_wrapper(wrapper, function)
    registry.unique_code(wrapper, function)
    return wrapper
