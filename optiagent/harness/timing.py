"""`time` mode: one benchmark sample in a fresh process, gc off in the timed region.

Job keys: base_dir, module_name, original_file, candidate_file (absent: time the original),
qualname, inputs_file (pickled [(args, kwargs)] written by the check job), repeats (None: calibrate
so a sample lasts at least min_sample_s of CPU time), warmup_s (untimed passes first, at least
one, for this much CPU time: the first calls pay for imports, the interpreter's specializing and
cold caches), cpu_slot (pin the process to that CPU slot, see machine.py). Programs: kind
"program", script_file, stdin_files (no warm-up: a program's start-up is part of its cost).

The result gives seconds per pass by the wall clock and by the timing thread's CPU clock, in
blocks, the context switches in the timed region (voluntary: it waited; involuntary: it was
preempted) and the threads it had, the warm-up passes, the CPU pinned to and what the machine
is (machine.py).
"""

from __future__ import annotations

import gc
import io
import math
import pickle
import runpy
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .caches import ModuleCaches, clear_caches
from .copying import fresh_copy  # importing it also keeps module references in deepcopy
from .loading import import_original, is_method, load_candidate, owner_class, read_text, resolve
from .machine import (
    ClockReading,
    count_thread_starts,
    describe_machine,
    load_average,
    pin_to_slot,
    thread_count,
)
from .receivers import ReceiverClasses
from .twins import candidate_classes

Calls = list[tuple[tuple[Any, ...], dict[str, Any]]]
_MAX_WARMUPS = 1000
_BLOCKS = 5  # the timed passes are read in this many blocks at most (pyperf's values per run)
_WARMUPS_ALONE = 3
_WARMUP_GROUPS = 5


def _function_under_test(job: dict[str, Any]) -> tuple[Callable[..., Any], Any, ReceiverClasses | None]:
    original = import_original(job["module_name"], job["base_dir"], job["original_file"])
    # Original and candidate load the same way (a twin executed from text), so A/A is identical.
    text_file = job.get("candidate_file") or job["original_file"]
    module = load_candidate(original, read_text(text_file))
    qualname = job["qualname"]
    owner = owner_class(original, qualname) if is_method(original, qualname) else None
    receivers = ReceiverClasses(owner, original, module) if owner is not None else None
    return resolve(module, qualname), module, receivers


def _one_pass(function: Callable[..., Any], clear: Callable[[], None], calls: Calls) -> None:
    for args, kwargs in calls:
        clear()
        try:
            function(*args, **kwargs)
        except Exception:
            pass  # the behaviour was already checked equal; an exception is part of the cost


def _warm_up(
    run_once: Callable[[], object], seconds: float, prepare: Callable[[], object] = lambda: None
) -> list[float]:
    """Untimed passes, at least one and until `seconds` of CPU time: CPU seconds of each (of the
    pass only, not of `prepare`, run before each)."""
    passes: list[float] = []
    spent = 0.0
    while not passes or (spent < seconds and len(passes) < _MAX_WARMUPS):
        prepare()
        started = time.thread_time()  # the exact CPU clock in a box (machine.ClockReading)
        run_once()
        elapsed = time.thread_time() - started
        passes.append(elapsed)
        spent += elapsed
    return passes


def _calibrated(passes: list[float], min_sample_s: float) -> int:
    """Passes for a sample of at least `min_sample_s` CPU seconds (the clock pairs are judged by)."""
    per_pass = sorted(passes)[len(passes) // 2]
    return max(1, math.ceil(min_sample_s / max(per_pass, 1e-7)))


def _as_warmups(passes: list[float]) -> list[list[float]]:
    """pyperf's warmups, [[loops, seconds per loop]]: the first passes one by one (they show the
    cold start), the rest in a few equal groups, so a thousand tiny passes stay a short list."""
    head = [[1, value] for value in passes[:_WARMUPS_ALONE]]
    rest = passes[_WARMUPS_ALONE:]
    size = max(1, math.ceil(len(rest) / _WARMUP_GROUPS))
    groups = [rest[start : start + size] for start in range(0, len(rest), size)]
    return head + [[len(group), sum(group) / len(group)] for group in groups]


def _timed(run_once: Callable[[], object], repeats: int) -> tuple[list[tuple[int, ClockReading]], int]:
    """`repeats` passes in up to _BLOCKS blocks, gc off: ([(passes, clocks)] per block, most threads)."""
    blocks = min(repeats, _BLOCKS)
    sizes = [repeats // blocks + (index < repeats % blocks) for index in range(blocks)]
    readings: list[tuple[int, ClockReading]] = []
    threads = 1
    gc.collect()
    gc.disable()
    try:
        for size in sizes:
            start = ClockReading.now()
            for _ in range(size):
                run_once()
            readings.append((size, ClockReading.now().since(start)))
            threads = max(threads, thread_count())
    finally:
        gc.enable()
    return readings, threads


def _result(
    timed: tuple[list[tuple[int, ClockReading]], int], pinned: tuple[int | None, str]
) -> dict[str, Any]:
    blocks, threads = timed
    repeats = sum(size for size, _ in blocks)
    wall = sum(reading.wall for _, reading in blocks) / repeats
    return {
        "seconds": wall,  # the wall clock's, as before; cpu_s is the CPU clock's
        "wall_s": wall,
        "cpu_s": sum(reading.cpu for _, reading in blocks) / repeats,
        "repeats": repeats,
        # per block: [passes, wall seconds per pass, CPU seconds per pass] (pyperf's values)
        "blocks": [[size, reading.wall / size, reading.cpu / size] for size, reading in blocks],
        "voluntary_switches": sum(reading.voluntary for _, reading in blocks),
        "involuntary_switches": sum(reading.involuntary for _, reading in blocks),
        "threads": threads,
        "cpu": pinned[0],
        "affinity": pinned[1],
        "load_avg": load_average(),
        "machine": describe_machine(),
    }


def time_function(job: dict[str, Any]) -> dict[str, Any]:
    pinned = pin_to_slot(job.get("cpu_slot"))
    function, module, receivers = _function_under_test(job)
    # The candidate's class attributes stay installed for the whole sample: installed and taken
    # back around every call (twins.py), each call paid two rounds of class setattr and the lost
    # method caches that follow (sqlparse's Token.match with one attribute load hoisted: 0.52x).
    # This process runs only this side, so nothing else sees them.
    classes = candidate_classes(module)
    if classes is None:
        return _time_loaded(job, pinned, function, module, receivers)
    with classes.active():
        # ...so the function runs as it is, without the per-call wrapper that installs them
        # (its context manager cost about a microsecond a call on both sides, diluting speedups)
        plain = getattr(function, "__wrapped__", function)
        return _time_loaded(job, pinned, plain, module, receivers)


def _time_loaded(
    job: dict[str, Any],
    pinned: tuple[int | None, str],
    function: Callable[..., Any],
    module: Any,
    receivers: ReceiverClasses | None,
) -> dict[str, Any]:
    calls: Calls = pickle.loads(Path(job["inputs_file"]).read_bytes())
    if receivers is not None:  # each receiver on the twin's view of its own class (receivers.py)
        calls = [receivers.adopt_call(args, kwargs) for args, kwargs in calls]
    copy_inputs = job.get("copy_inputs", True)
    warm_calls = fresh_copy(calls) if copy_inputs else calls

    caches = [ModuleCaches(module)]

    def find_caches() -> None:  # looked for again before each pass (a call may create one), off the clock
        caches[0] = ModuleCaches(module)

    passes = _warm_up(
        lambda: _one_pass(function, caches[0].clear, warm_calls), float(job.get("warmup_s", 0.0)), find_caches
    )
    repeats = job.get("repeats") or _calibrated(passes, float(job.get("min_sample_s", 0.01)))
    # One private copy per sample: repeats reuse it (original and candidate mutate alike, as validated).
    batch = fresh_copy(calls) if copy_inputs else calls
    # The caches the warmed-up module holds are cleared before each call, without scanning the
    # module for them every call (caches.py: the scan dwarfed small functions on both sides)...
    found = ModuleCaches(module)
    timed = _timed(lambda: _one_pass(function, found.clear, batch), int(repeats))
    if found.changed():
        # ...unless a cache appeared during the sample: then it is timed again, scanning before
        # every call, so no call is served from a cache a previous call filled
        batch = fresh_copy(calls) if copy_inputs else calls
        timed = _timed(lambda: _one_pass(function, lambda: clear_caches(module), batch), int(repeats))
    return {**_result(timed, pinned), "warmups": _as_warmups(passes)}


def time_program(job: dict[str, Any]) -> dict[str, Any]:
    pinned = pin_to_slot(job.get("cpu_slot"))
    script = job["script_file"]
    stdin_data = [Path(p).read_bytes() for p in job["stdin_files"]]
    repeats = int(job.get("repeats") or 1)
    real_stdin, real_stdout = sys.stdin, sys.stdout

    def run_all() -> None:
        for data in stdin_data:
            sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
            sys.stdout = io.StringIO()
            try:
                runpy.run_path(script, run_name="__main__")
            except SystemExit:
                pass

    try:
        timed = _timed(run_all, repeats)
    finally:
        sys.stdin, sys.stdout = real_stdin, real_stdout
    return {**_result(timed, pinned), "warmups": []}


def run_timing(job: dict[str, Any]) -> dict[str, Any]:
    count_thread_starts()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    if job.get("kind") == "program":
        return time_program(job)
    return time_function(job)
