"""Capturing wrappers that keep behaviour: same result or exception, same generator / coroutine
nature, `functools.wraps` metadata and `__wrapped__`. Each wrapper gets its own code object
(file "<optiagent-capture>", line = its index) so the profile can fold it back into the function."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any

from .recorder import FunctionCalls, Recorder

WRAPPER_FILENAME = "<optiagent-capture>"
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


def _before(
    recorder: Recorder, calls: FunctionCalls, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[int, bytes] | None:
    """Samples the call and pickles its arguments before it runs; None when not recorded."""
    if getattr(_inside, "active", False):
        return None
    _inside.active = True
    try:
        slot = recorder.admit(calls)
        if slot is None:
            return None
        pickled = recorder.arguments(calls, args, kwargs)
        if pickled is None:
            recorder.skip(calls)
            return None
        return slot, pickled
    except Exception:  # capture must never change the workload's behaviour
        return None
    finally:
        _inside.active = False


def _after(
    recorder: Recorder,
    calls: FunctionCalls,
    sampled: tuple[int, bytes],
    result: Any,
    raised: BaseException | None,
) -> None:
    _inside.active = True
    try:
        slot, arguments = sampled
        if raised is not None:
            recorder.store(calls, slot, (arguments, None, type(raised).__qualname__))
        else:
            recorder.store(calls, slot, (arguments, recorder.result(calls, result), None))
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
            if sampled is not None:
                recorder.store(calls, sampled[0], (sampled[1], None, None))
            return (yield from function(*args, **kwargs))

    elif inspect.iscoroutinefunction(function):

        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            sampled = _before(recorder, calls, args, kwargs)
            if sampled is not None:
                recorder.store(calls, sampled[0], (sampled[1], None, None))
            return await function(*args, **kwargs)

    else:

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if calls.depth:
                return function(*args, **kwargs)
            calls.depth += 1
            try:
                sampled = _before(recorder, calls, args, kwargs)
                if sampled is None:
                    return function(*args, **kwargs)
                try:
                    result = function(*args, **kwargs)
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
