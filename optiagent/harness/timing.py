"""`time` mode: one benchmark sample in a fresh process, gc off in the timed region.

Job keys: base_dir, module_name, original_file, candidate_file (absent: time the original),
qualname, inputs_file (pickled [(args, kwargs)] written by the check job), repeats (None: calibrate
so a sample lasts at least min_sample_s). Programs: kind "program", script_file, stdin_files.
"""

from __future__ import annotations

import copy
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

from .caches import clear_caches
from .loading import import_original, is_method, load_candidate, owner_class, read_text, resolve


def _function_under_test(job: dict[str, Any]) -> tuple[Callable[..., Any], Any, type | None]:
    module = import_original(job["module_name"], job["base_dir"], job["original_file"])
    # Original and candidate load the same way (a twin executed from text), so A/A is identical.
    text_file = job.get("candidate_file") or job["original_file"]
    module = load_candidate(module, read_text(text_file))
    qualname = job["qualname"]
    owner = owner_class(module, qualname) if is_method(module, qualname) else None
    return resolve(module, qualname), module, owner


def _one_pass(
    function: Callable[..., Any], module: Any, calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
) -> float:
    started = time.perf_counter()
    for args, kwargs in calls:
        clear_caches(module)
        try:
            function(*args, **kwargs)
        except Exception:
            pass  # the behaviour was already checked equal; an exception is part of the cost
    return time.perf_counter() - started


def time_function(job: dict[str, Any]) -> dict[str, Any]:
    function, module, owner = _function_under_test(job)
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = pickle.loads(Path(job["inputs_file"]).read_bytes())
    if owner is not None:
        for args, _ in calls:
            if args:
                try:
                    args[0].__class__ = owner
                except TypeError:
                    pass
    repeats = job.get("repeats")
    if not repeats:
        probe = _one_pass(function, module, copy.deepcopy(calls))
        repeats = max(1, math.ceil(float(job.get("min_sample_s", 0.01)) / max(probe, 1e-7)))
    # One private copy per sample: repeats reuse it (original and candidate mutate alike, as validated).
    batches = [copy.deepcopy(calls) if job.get("copy_inputs", True) else calls]
    gc.collect()
    gc.disable()
    try:
        total = 0.0
        for index in range(repeats):
            total += _one_pass(function, module, batches[index % len(batches)])
    finally:
        gc.enable()
    return {"seconds": total / repeats, "repeats": repeats}


def time_program(job: dict[str, Any]) -> dict[str, Any]:
    script = job["script_file"]
    stdin_data = [Path(p).read_bytes() for p in job["stdin_files"]]
    repeats = int(job.get("repeats") or 1)
    real_stdin, real_stdout = sys.stdin, sys.stdout
    total = 0.0
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            for data in stdin_data:
                sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
                sys.stdout = io.StringIO()
                started = time.perf_counter()
                try:
                    runpy.run_path(script, run_name="__main__")
                except SystemExit:
                    pass
                total += time.perf_counter() - started
    finally:
        sys.stdin, sys.stdout = real_stdin, real_stdout
        gc.enable()
    return {"seconds": total / repeats, "repeats": repeats}


def run_timing(job: dict[str, Any]) -> dict[str, Any]:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    if job.get("kind") == "program":
        return time_program(job)
    return time_function(job)
