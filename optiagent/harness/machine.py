"""What a timing sample ran on, and the core it is pinned to: stdlib only, read inside the box.

Pinning takes a slot, not a CPU number: slot k is the k-th CPU this process may use, so the host
can ask for "the same core for both halves of a pair" without knowing the box's CPU ids (a
container's cpuset, a machine where some CPUs are offline).
"""

from __future__ import annotations

import os
import platform
import resource
import threading
import time
from dataclasses import dataclass
from pathlib import Path


def pin_to_slot(slot: int | None) -> tuple[int | None, str]:
    """(CPU pinned to, how) for this thread and the threads it starts; None when not pinned."""
    if slot is None:
        return None, "not requested"
    if not hasattr(os, "sched_setaffinity"):
        return None, "this platform has no CPU affinity"
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) == 1:
        return allowed[0], "the only CPU allowed"
    cpu = allowed[slot % len(allowed)]
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError as error:
        return None, f"refused ({error.strerror})"
    return cpu, "pinned"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith(("model name", "Model", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_machine() -> dict[str, object]:
    """Facts pyperf also records, read where the code runs (the box's interpreter and CPUs)."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count() or 1,
        "usable_cpus": usable or 1,
        "python_version": platform.python_version(),
        "python_implementation": platform.python_implementation().lower(),
        "platform": platform.platform(terse=True),
    }


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


_started_threads = [0]
_counting = [False]


def count_thread_starts() -> None:
    """From now on, count the threads Python starts. Thread.start is wrapped rather than an audit
    hook used: CPython 3.11 and 3.12 raise no audit event when a thread starts."""
    if _counting[0]:
        return
    _counting[0] = True
    start = threading.Thread.start

    def counted_start(self: threading.Thread) -> None:
        _started_threads[0] += 1
        start(self)

    threading.Thread.start = counted_start  # type: ignore[method-assign]


def thread_count() -> int:
    """Threads this process has run: the OS's (C-level ones too) or more with any Python started
    since `count_thread_starts` (a pool that was shut down has left the OS's list already)."""
    try:
        alive = len(os.listdir("/proc/self/task"))
    except OSError:
        alive = threading.active_count()
    return max(alive, 1 + _started_threads[0])


@dataclass(frozen=True)
class ClockReading:
    """Wall and CPU clocks and context-switch counts, read together.

    The CPU clock is this thread's: under a CPU-time rlimit (every sandbox sets one) Linux
    serves the process clock from a tick-driven cache, so it advances in 4 ms steps; the thread
    clock stays exact. Work on other threads is not on it, which is why samples count threads
    and a pair with more than one is judged by wall time (domain/samples.py).
    """

    wall: float
    cpu: float
    voluntary: int  # the process waited (I/O, sleep, a lock, a child, another thread)
    involuntary: int  # the scheduler took the CPU away (load)

    @classmethod
    def now(cls) -> ClockReading:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return cls(time.perf_counter(), time.thread_time(), usage.ru_nvcsw, usage.ru_nivcsw)

    def since(self, start: ClockReading) -> ClockReading:
        return ClockReading(
            self.wall - start.wall,
            self.cpu - start.cpu,
            self.voluntary - start.voluntary,
            self.involuntary - start.involuntary,
        )
