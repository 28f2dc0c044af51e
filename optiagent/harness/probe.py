"""Run programs on call expressions inside the sandbox and report what each call returned.

Usage: `python -m optiagent_harness.probe job.json out.json`

job.json keys: programs [module text, ...], calls ["f(1, 2)", ...], sys_path [dir, ...],
call_timeout_s (per call, default 1.0), program_overhead_s (default 2.0).
out.json: {"programs": [{"calls": [{"output", "error", "seconds"}] | null, "error"}]}
`output` is a canonical text of the return value (sets sorted, so outputs compare across
processes), or null when the call raised or timed out (`error` says which).

Used for functional consensus (candidates agree on generated inputs) and for the ReWOO tools that
run or time code. One forked child per program, as in the matrix harness.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from .matrix import MODULE_NAME, collect_child, describe, guard_child, time_limit

MAX_OUTPUT_CHARS = 2000


def canonical(value: object, depth: int = 0) -> str:
    """A text that is equal for equal values, whatever the hash seed of the process."""
    if depth > 20:
        return "..."
    if isinstance(value, set | frozenset):
        items = sorted(canonical(item, depth + 1) for item in value)
        return f"{type(value).__name__}({{{', '.join(items)}}})"
    if isinstance(value, dict):
        pairs = sorted(f"{canonical(k, depth + 1)}: {canonical(v, depth + 1)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list | tuple):
        inner = ", ".join(canonical(item, depth + 1) for item in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, float) and value == value:
        return repr(round(value, 9))
    return repr(value)


def run_calls(program: str, calls: list[str], timeout_s: float) -> list[dict[str, Any]]:
    """Child side: the module body once, then each call under the timer."""
    namespace: dict[str, Any] = {"__name__": MODULE_NAME}
    exec(compile(program, "<program>", "exec"), namespace)
    results: list[dict[str, Any]] = []
    for call in calls:
        started = time.perf_counter()
        try:
            with time_limit(timeout_s):
                value = eval(compile(call, "<call>", "eval"), namespace)
                text = canonical(value)[:MAX_OUTPUT_CHARS]
            results.append({"output": text, "error": "", "seconds": time.perf_counter() - started})
        except Exception as error:
            results.append(
                {"output": None, "error": describe(error), "seconds": time.perf_counter() - started}
            )
    return results


def run_program(program: str, calls: list[str], timeout_s: float, wall_s: float) -> dict[str, Any]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            os.setpgid(0, 0)
            try:
                guard_child()
                message = json.dumps({"calls": run_calls(program, calls, timeout_s), "error": ""})
            except BaseException as error:
                message = json.dumps({"calls": None, "error": describe(error)})
            data = message.encode("utf-8", "replace")
            while data:
                data = data[os.write(write_end, data) :]
        finally:
            os._exit(0)
    data, finished = collect_child(pid, read_end, write_end, wall_s)
    if not finished:
        return {"calls": None, "error": f"wall time {wall_s:.1f}s exceeded"}
    try:
        result: dict[str, Any] = json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        return {"calls": None, "error": "child died without a result"}
    return result


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    for entry in reversed(job.get("sys_path", [])):
        sys.path.insert(0, entry)
    calls = [str(call) for call in job.get("calls", [])]
    timeout_s = float(job.get("call_timeout_s", 1.0))
    wall_s = timeout_s * len(calls) + float(job.get("program_overhead_s", 2.0))
    return {"programs": [run_program(p, calls, timeout_s, wall_s) for p in job["programs"]]}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m optiagent_harness.probe job.json out.json", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        job = json.load(handle)
    result = run_job(job)
    with open(argv[1], "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
