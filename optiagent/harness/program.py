"""`program` mode: a whole script is the target; equal stdout and exit status per stdin case."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def _run(script: str, stdin: bytes, timeout: float) -> tuple[int, bytes] | None:
    try:
        done = subprocess.run(
            [sys.executable, script], input=stdin, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return None
    return done.returncode, done.stdout


def _check_one(script: str, expected: list[tuple[str, tuple[int, bytes]]], timeout: float) -> dict[str, Any]:
    checked = 0
    for case, first in expected:
        with open(case, "rb") as handle:
            stdin = handle.read()
        mine = _run(script, stdin, max(timeout, 10.0))
        if mine is None:
            return {
                "verdict": "timed_out",
                "detail": f"candidate exceeded the time limit on {case}",
                "checked": {"stdin": checked},
            }
        if mine != first:
            what = "exit status" if mine[0] != first[0] else "stdout"
            return {
                "verdict": "mismatch",
                "source": "stdin",
                "counterexample": case,
                "detail": f"{what} differs on {case}",
                "checked": {"stdin": checked},
            }
        checked += 1
    return {"verdict": "equivalent", "checked": {"stdin": checked}}


def run_program_check(job: dict[str, Any]) -> dict[str, Any]:
    """The original runs twice per case (determinism); each candidate script once."""
    timeout = float(job.get("call_timeout_s", 10.0))
    expected: list[tuple[str, tuple[int, bytes]]] = []
    for case in job["stdin_files"]:
        with open(case, "rb") as handle:
            stdin = handle.read()
        first, second = _run(job["original_file"], stdin, timeout), _run(job["original_file"], stdin, timeout)
        if first is not None and first == second:
            expected.append((case, first))
    if not expected:
        verdict = {
            "verdict": "nondeterministic",
            "checked": {},
            "detail": "the original gave different output (or timed out) on every case",
        }
        return {"results": [dict(verdict) for _ in job["candidate_files"]]}
    with ThreadPoolExecutor(max_workers=max(1, int(job.get("parallel", 2)))) as pool:
        results = list(pool.map(lambda script: _check_one(script, expected, timeout), job["candidate_files"]))
    return {"results": results}
