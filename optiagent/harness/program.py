"""`program` mode: a whole script is the target; equal stdout and exit status per stdin case."""

from __future__ import annotations

import subprocess
import sys
from typing import Any


def _run(script: str, stdin: bytes, timeout: float) -> tuple[int, bytes] | None:
    try:
        done = subprocess.run(
            [sys.executable, script], input=stdin, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return None
    return done.returncode, done.stdout


def run_program_check(job: dict[str, Any]) -> dict[str, Any]:
    timeout = float(job.get("call_timeout_s", 10.0))
    checked = 0
    for case in job["stdin_files"]:
        with open(case, "rb") as handle:
            stdin = handle.read()
        first, second = _run(job["original_file"], stdin, timeout), _run(job["original_file"], stdin, timeout)
        if first is None or second is None or first != second:
            continue
        mine = _run(job["candidate_file"], stdin, max(timeout, 10.0))
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
    if checked == 0:
        return {
            "verdict": "nondeterministic",
            "detail": "the original gave different output on every case",
            "checked": {},
        }
    return {"verdict": "equivalent", "checked": {"stdin": checked}}
