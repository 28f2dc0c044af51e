"""`program` mode: a whole script is the target; equal stdout and exit status per stdin case."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

Expected = list[tuple[str, tuple[int, bytes]]]


def _run(script: str, stdin: bytes, timeout: float) -> tuple[tuple[int, bytes], float] | None:
    """(exit status, stdout) and the wall seconds it took; None on timeout."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, script], input=stdin, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return None
    return (done.returncode, done.stdout), time.perf_counter() - started


def _check_one(
    script: str, expected: Expected, timeout: float, largest: str, original_s: float
) -> dict[str, Any]:
    checked = 0
    candidate_s: float | None = None
    for case, first in expected:
        with open(case, "rb") as handle:
            stdin = handle.read()
        ran = _run(script, stdin, max(timeout, 10.0))
        if ran is None:
            return {
                "verdict": "timed_out",
                "detail": f"candidate exceeded the time limit on {case}",
                "checked": {"stdin": checked},
            }
        mine, seconds = ran
        if mine != first:
            what = "exit status" if mine[0] != first[0] else "stdout"
            return {
                "verdict": "mismatch",
                "source": "stdin",
                "counterexample": case,
                "detail": f"{what} differs on {case}",
                "checked": {"stdin": checked},
            }
        if case == largest:
            candidate_s = seconds
        checked += 1
    # One run each on the largest case: a hint to benchmark the most promising first, never proof.
    hint = original_s / candidate_s if candidate_s else None
    return {"verdict": "equivalent", "checked": {"stdin": checked}, "prescreen_speedup": hint}


def run_program_check(job: dict[str, Any]) -> dict[str, Any]:
    """The original runs twice per case (determinism); each candidate script once."""
    timeout = float(job.get("call_timeout_s", 10.0))
    expected: Expected = []
    seconds: dict[str, float] = {}
    for case in job["stdin_files"]:
        with open(case, "rb") as handle:
            stdin = handle.read()
        first, second = _run(job["original_file"], stdin, timeout), _run(job["original_file"], stdin, timeout)
        if first is not None and second is not None and first[0] == second[0]:
            expected.append((case, first[0]))
            seconds[case] = min(first[1], second[1])
    if not expected:
        verdict = {
            "verdict": "nondeterministic",
            "checked": {},
            "detail": "the original gave different output (or timed out) on every case",
        }
        return {"results": [dict(verdict) for _ in job["candidate_files"]]}
    largest = max((case for case, _ in expected), key=os.path.getsize)
    with ThreadPoolExecutor(max_workers=max(1, int(job.get("parallel", 2)))) as pool:
        results = list(
            pool.map(
                lambda script: _check_one(script, expected, timeout, largest, seconds[largest]),
                job["candidate_files"],
            )
        )
    return {"results": results}
