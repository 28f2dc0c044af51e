"""A profile of every thread of the process, not only the one that started it.

Before Python 3.12, cProfile hooks the thread that enables it: a workload that does its work in a
ThreadPoolExecutor showed only the main thread waiting on futures, and its hot functions were
never ranked. Here each thread `threading` starts gets its own profiler from its first event
(`threading.setprofile`), and their statistics are added to the main thread's when the profile is
written. From 3.12 on cProfile is built on sys.monitoring, which sees every thread, and a second
profiler could not be enabled at all, so the main one is all there is.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import threading
from types import FrameType
from typing import Any

Stats = dict[tuple[str, int, str], Any]  # cProfile's: function -> (cc, nc, tt, ct, callers)
PER_THREAD = sys.version_info < (3, 12)


class ThreadProfiles:
    """Quacks like cProfile.Profile where the capture needs it: enable, disable, create_stats, stats."""

    def __init__(self) -> None:
        self.main = cProfile.Profile()
        self._others: list[cProfile.Profile] = []
        self._lock = threading.Lock()
        self.stats: Stats = {}

    def enable(self) -> None:
        self.main.enable()
        if PER_THREAD:
            threading.setprofile(self._start_in_thread)

    def disable(self) -> None:
        """Stops the main thread's profile and profiling of threads started from now on."""
        if PER_THREAD:
            threading.setprofile(None)
        self.main.disable()

    def _start_in_thread(self, frame: FrameType, event: str, arg: object) -> None:
        sys.setprofile(None)
        profiler = cProfile.Profile()
        with self._lock:
            self._others.append(profiler)
        profiler.enable()  # this thread's own: only this thread could disable it

    def create_stats(self) -> None:
        """The main thread's statistics plus every other thread's, as cProfile's `stats`."""
        self.main.create_stats()
        merged: Stats = dict(self.main.stats)
        with self._lock:
            others = list(self._others)
        for profiler in others:
            # A snapshot, not create_stats: that would disable profiling of the calling thread.
            profiler.snapshot_stats()
            for function, entry in profiler.stats.items():
                known = merged.get(function)
                add = pstats.add_func_stats  # type: ignore[attr-defined]  # public, but not in typeshed
                merged[function] = entry if known is None else add(known, entry)
        self.stats = merged
