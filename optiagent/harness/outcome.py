"""Run one call and record everything observable about it: result, exception, stdout, mutation."""

from __future__ import annotations

import contextlib
import io
import random
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .compare import deep_equal
from .copying import fresh_copy  # importing it also keeps module references in deepcopy

_MAX_DRAIN = 1_000_000
_STDOUT_LIMIT = 1_000_000


@dataclass
class Outcome:
    result: Any
    raised: str | None  # exception type name
    message: str | None
    stdout: str
    args_after: Any

    def describe(self) -> str:
        if self.raised:
            return f"raised {self.raised}: {self.message}"
        text = safe_repr(self.result)
        return f"returned {text[:300]}{'...' if len(text) > 300 else ''}"


def safe_repr(value: Any) -> str:
    """repr that never raises: an object whose `__repr__` reads attributes its `__init__` has not
    set yet (the receiver of a captured `__init__` call) is named by its type instead."""
    try:
        return repr(value)
    except Exception as error:
        return f"<{type(value).__qualname__} object (repr raised {type(error).__name__})>"


def _drain(value: Any) -> Any:
    if isinstance(value, types.GeneratorType) or (
        hasattr(type(value), "__next__") and hasattr(type(value), "__iter__") and not isinstance(value, str)
    ):
        items = []
        for index, item in enumerate(value):
            if index >= _MAX_DRAIN:
                break
            items.append(item)
        return ("<iterator>", items)
    return value


def run_call(
    function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], seed: int = 0
) -> Outcome:
    """Call on deep copies (the caller's inputs stay pristine) with seeded randomness.

    The original runs twice with different seeds: a function whose result depends on randomness
    (or the clock) disagrees with itself and is reported nondeterministic.
    """
    args_copy, kwargs_copy = fresh_copy((args, kwargs))
    buffer = io.StringIO()
    random.seed(seed)
    try:
        with contextlib.redirect_stdout(buffer):
            result = _drain(function(*args_copy, **kwargs_copy))
        raised = message = None
    except (Exception, SystemExit) as error:  # behaviour to compare, not a harness failure
        result, raised, message = None, type(error).__name__, _message(error)
    return Outcome(result, raised, message, buffer.getvalue()[:_STDOUT_LIMIT], (args_copy, kwargs_copy))


def _message(error: BaseException) -> str:
    """The exception's text; when its own `__str__` fails (pyparsing formats the input it was
    given, a list where it expected text), that failure's type and text stand for it."""
    try:
        return str(error)
    except Exception as failure:
        try:
            detail = str(failure)
        except Exception:
            detail = ""
        return f"<str() raised {type(failure).__name__}: {detail}>"


def messages_comparable(message: str | None) -> bool:
    """Messages that embed addresses or ids are not deterministic, so only the type counts."""
    return message is not None and " at 0x" not in message


def outcomes_agree(original: Outcome, candidate: Outcome, *, compare_messages: bool = True) -> str | None:
    """None when equivalent, else a short description of the first difference."""
    if original.raised != candidate.raised:
        return f"original {original.describe()}, candidate {candidate.describe()}"
    if original.raised:
        if (
            compare_messages
            and messages_comparable(original.message)
            and original.message != candidate.message
        ):
            return f"exception messages differ: {original.message!r} vs {candidate.message!r}"
    elif not deep_equal(original.result, candidate.result):
        return f"original {original.describe()}, candidate {candidate.describe()}"
    if original.stdout != candidate.stdout:
        return f"printed output differs: {original.stdout[:200]!r} vs {candidate.stdout[:200]!r}"
    if not deep_equal(original.args_after, candidate.args_after):
        return "arguments after the call differ (in-place mutation)"
    return None
