"""A wall-clock limit for one call, raised as a BaseException so user code cannot swallow it."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType


class CallTimeout(BaseException):
    pass


def _raise_timeout(signum: int, frame: FrameType | None) -> None:
    raise CallTimeout


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    # Re-fire every 50 ms after expiry: an exception raised where Python ignores it (a gc
    # callback, a __del__) would otherwise be lost and the call would run on unbounded.
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001), 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
