"""Ctrl-C: the run stops at its next stage boundary and the command exits 130, with nothing
half-written.

The first SIGINT raises KeyboardInterrupt in the main thread and makes every later progress event
raise it in the worker threads, so each stops after the sandbox job it is waiting for (whose
outcome is real, so the history rows written for it are true). The report file, `--apply` and
the history rows that record them are written inside `deferred()`: an interrupt there waits until
they are complete. A second SIGINT quits at once (`os._exit`): database transactions are atomic on
their own, and nothing else is being written then.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from optiagent.services.requests import ProgressListener

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a command stopped by Ctrl-C


class Interruption:
    """The SIGINT handler of one command, installed with `installed()` in the main thread."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._deferring = 0
        self._pending = False
        self._lock = threading.Lock()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        with self._lock:
            if self._deferring:
                self._pending = True
                _say("interrupted: finishing the writes in progress, then stopping")
                return
        if self.stop.is_set():
            _say("interrupted again: quitting now")
            _kill_children()
            os._exit(EXIT_INTERRUPTED)
        self.stop.set()
        _say("interrupted: stopping after the running sandbox jobs (Ctrl-C again to quit now)")
        raise KeyboardInterrupt

    @contextmanager
    def installed(self) -> Iterator[Interruption]:
        previous = signal.signal(signal.SIGINT, self._handle)
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Writes that must complete once started: an interrupt meanwhile is raised after them."""
        with self._lock:
            self._deferring += 1
        try:
            yield
        finally:
            with self._lock:
                self._deferring -= 1
                raise_now = self._pending and not self._deferring
                self._pending = self._pending and not raise_now
            if raise_now:
                self.stop.set()
                raise KeyboardInterrupt

    def listener(self, inner: ProgressListener) -> StopOnInterrupt:
        return StopOnInterrupt(inner, self.stop)


class StopOnInterrupt:
    """A progress listener that raises KeyboardInterrupt in whichever thread reports progress once
    the run is interrupted: each worker stops at its next stage boundary."""

    def __init__(self, inner: ProgressListener, stop: threading.Event) -> None:
        self._inner = inner
        self._stop = stop

    def event(self, name: str, **fields: object) -> None:
        if self._stop.is_set():
            raise KeyboardInterrupt
        self._inner.event(name, **fields)


def _kill_children() -> None:
    """SIGKILL to the process groups of our children: local sandbox jobs run in sessions of their
    own, which a terminal's Ctrl-C does not reach, and nothing is left to time them out."""
    me = os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == me:  # fields after "pid (comm)": state, ppid, pgrp, ...
                child = int(stat.parent.name)
                if int(fields[2]) == child:  # a group leader: its whole group
                    os.killpg(child, signal.SIGKILL)
                else:
                    os.kill(child, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not ours to signal


def _say(message: str) -> None:
    try:
        sys.stderr.write(f"\n{message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed: nothing to tell
        pass
