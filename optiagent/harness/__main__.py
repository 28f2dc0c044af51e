"""Entry point inside the box: `python -m optiagent_harness MODE job.json out.json`."""

from __future__ import annotations

import json
import sys
import traceback


def main(argv: list[str]) -> int:
    mode, job_path, out_path = argv
    with open(job_path, encoding="utf-8") as handle:
        job = json.load(handle)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    try:
        if mode == "check":
            from .check import run_check

            result = run_check(job)
        elif mode == "time":
            from .timing import run_timing

            result = run_timing(job)
        elif mode == "program":
            from .program import run_program_check

            result = run_program_check(job)
        else:
            raise SystemExit(f"unknown mode {mode!r}")
    except Exception as error:  # the candidate or the original failed to load or run
        result = {
            "verdict": "crashed",
            "detail": f"{type(error).__name__}: {error}",
            "traceback": traceback.format_exc()[-4000:],
        }
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle, default=repr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
