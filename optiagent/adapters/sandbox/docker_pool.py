"""A pool of job-server containers: warm (reused, recycled) or cold (one container per job).

Warm: a container serves jobs of its shape until it has run `max_jobs` jobs, a job violated a
limit (timeout, OOM, killed) or it fails a health check; it is then discarded and a replacement is
started in the background. Containers idle for `idle_s` are stopped, so the pool shrinks when
there is no work. Cold: every container runs one job and is discarded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from optiagent.adapters.sandbox.docker_box import BoxContainer, BoxShape

_PING_AFTER_IDLE_S = 2.0


class BoxPool:
    def __init__(
        self,
        start: Callable[[BoxShape], BoxContainer],
        size: int,
        warm: bool,
        max_jobs: int,
        idle_s: float,
    ) -> None:
        self._start = start
        self._size = max(1, size)
        self._warm = warm
        self._max_jobs = max_jobs if warm else 1
        self._idle_s = idle_s
        self._idle: list[BoxContainer] = []
        self._reserved = 0  # slots of containers in use or being started
        self._cond = threading.Condition()
        self._closed = False
        self._background: list[threading.Thread] = []
        self._stop = threading.Event()
        if warm:
            self._spawn(self._shrink_when_idle)

    @property
    def warm(self) -> bool:
        return self._warm

    def acquire(self, shape: BoxShape) -> BoxContainer:
        evicted: BoxContainer | None = None
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("the sandbox pool is closed")
                match = next((box for box in self._idle if box.shape == shape), None)
                if match is not None:
                    self._idle.remove(match)
                    self._reserved += 1
                    break
                if self._reserved + len(self._idle) < self._size:
                    self._reserved += 1
                    break
                if self._idle:  # full of other shapes: make room
                    evicted = self._idle.pop(0)
                    self._reserved += 1
                    break
                self._cond.wait()
        if evicted is not None:
            self._spawn(evicted.close)
        if match is not None:
            # A container idle for a while is pinged first; a recently used one that died since is
            # caught when the job cannot be sent (NotDelivered), and the job goes elsewhere.
            if time.monotonic() - match.idle_since < _PING_AFTER_IDLE_S or match.healthy():
                return match
            self._spawn(match.close)
        try:
            return self._start(shape)
        except BaseException:
            self._free_slot()
            raise

    def release(self, box: BoxContainer, reusable: bool) -> None:
        box.jobs += 1
        if reusable and self._warm and box.jobs < self._max_jobs:
            with self._cond:
                if not self._closed:
                    box.idle_since = time.monotonic()
                    self._idle.append(box)
                    self._reserved -= 1
                    self._cond.notify()
                    return
        self._spawn(box.close)  # removing a container takes a while: not on the job's path
        if self._warm and not self._closed:
            self._spawn(lambda: self._replenish(box.shape))  # keeps the slot while starting
        else:
            self._free_slot()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        self._stop.set()
        for box in idle:
            box.close()
        for thread in list(self._background):
            thread.join(timeout=60)

    def _replenish(self, shape: BoxShape) -> None:
        try:
            box = self._start(shape)
        except Exception:
            self._free_slot()
            return
        with self._cond:
            if not self._closed:
                self._idle.append(box)
                self._reserved -= 1
                self._cond.notify()
                return
        box.close()
        self._free_slot()

    def _free_slot(self) -> None:
        with self._cond:
            self._reserved -= 1
            self._cond.notify()

    def _shrink_when_idle(self) -> None:
        while not self._stop.wait(max(self._idle_s / 4, 0.05)):
            now = time.monotonic()
            with self._cond:
                stale = [box for box in self._idle if now - box.idle_since > self._idle_s]
                self._idle = [box for box in self._idle if box not in stale]
            for box in stale:
                box.close()

    def _spawn(self, work: Callable[[], None]) -> None:
        thread = threading.Thread(target=work, daemon=True, name="optiagent-sandbox-pool")
        with self._cond:
            self._background = [t for t in self._background if t.is_alive()]
            self._background.append(thread)
        thread.start()
