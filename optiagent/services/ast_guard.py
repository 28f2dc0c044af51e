"""One `ast.parse` at a time in this process.

CPython (3.11, 3.12) builds Python AST objects with a recursion counter that all threads share:
when the garbage collector runs a finalizer in the middle of one thread's `ast.parse` and another
thread parses meanwhile, the first fails with "SystemError: AST constructor recursion depth
mismatch" (python/cpython gh-106905 and related). A run plans two projects at once and parses
sources in both (discovery, normalization, catalogue rules), which crashed a run of the bundled
examples. `guard()` serializes every `ast.parse` of the process (`ast.literal_eval` goes through
it too); parsing takes milliseconds, so the lock costs nothing noticeable.
"""

from __future__ import annotations

import ast
import functools
import threading
from typing import Any

_LOCK = threading.RLock()
_MARK = "_optiagent_serialized"


def guard() -> None:
    """Replaces `ast.parse` by a version that holds a process-wide lock (once; idempotent)."""
    if getattr(ast.parse, _MARK, False):
        return
    unguarded = ast.parse

    @functools.wraps(unguarded)
    def parse(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return unguarded(*args, **kwargs)

    setattr(parse, _MARK, True)
    ast.parse = parse
