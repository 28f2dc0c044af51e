"""Crash safety, repeated: runs the SIGKILL-at-a-random-point test N times against real Postgres,
Redis and Celery workers and reports how many passed (no lost job, no duplicate edit) and how long
each job took from submission to completion.

    OPTIAGENT_TEST_POSTGRES_URL=... OPTIAGENT_TEST_REDIS_URL=... \\
        python benchmarks/crash_repeat.py --repeats 20 --json crash.json

The workers get the tests' short leases unless told otherwise; `--production-leases` gives them the
service's defaults (60 s lease, 300 s requeue, 30 s sweep, 900 s visibility timeout), and
`--kill-at 4 --whole` pins the kill (the whole worker, 4 s after the job started running, so a
claimed step is lost).

(tools/test starts both services and sets the variables; any Postgres and Redis on 127.0.0.1 do.)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from tempfile import TemporaryDirectory

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
TEST = "tests/service/test_crash.py::test_sigkill_at_a_random_point_loses_nothing"
PRODUCTION_LEASES = {
    "OPTIAGENT_WORKER__LEASE_S": "60",
    "OPTIAGENT_WORKER__REQUEUE_AFTER_S": "300",
    "OPTIAGENT_WORKER__SWEEP_INTERVAL_S": "30",
    "OPTIAGENT_WORKER__VISIBILITY_TIMEOUT_S": "900",
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None, help="first repetition's seed (default: the time)")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--kill-at", type=float, default=None, help="seconds after the job starts running")
    parser.add_argument("--whole", action="store_true", help="always kill the whole worker")
    parser.add_argument("--production-leases", action="store_true", help="the service's default timings")
    args = parser.parse_args()
    for name in ("OPTIAGENT_TEST_POSTGRES_URL", "OPTIAGENT_TEST_REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"{name} is not set: run under tools/test's services or point it at yours")
    seed = args.seed if args.seed is not None else time.time_ns() % 2**31
    started = time.perf_counter()
    with TemporaryDirectory() as scratch:
        junit, kills_log = Path(scratch) / "junit.xml", Path(scratch) / "kills.jsonl"
        env = os.environ | {
            "OPTIAGENT_CRASH_REPEATS": str(args.repeats),
            "OPTIAGENT_CRASH_SEED": str(seed),
            "OPTIAGENT_CRASH_LOG": str(kills_log),
            "OPTIAGENT_CRASH_WORKER_ENV": json.dumps(PRODUCTION_LEASES if args.production_leases else {}),
        }
        if args.kill_at is not None:
            env["OPTIAGENT_CRASH_KILL_AT"] = str(args.kill_at)
        if args.whole:
            env["OPTIAGENT_CRASH_WHOLE"] = "1"
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", TEST, f"--junitxml={junit}"],
            cwd=REPO,
            env=env,
            check=False,
        )
        cases = ElementTree.parse(junit).getroot().iter("testcase")
        outcomes = []
        for case in cases:
            failure = case.find("failure") if case.find("failure") is not None else case.find("error")
            skipped = case.find("skipped") is not None
            outcomes.append(
                {
                    "name": case.get("name"),
                    "seconds": float(case.get("time", 0)),
                    "outcome": "skipped" if skipped else "failed" if failure is not None else "passed",
                    "message": (failure.get("message", "") if failure is not None else "")[:500],
                }
            )
        kills = (
            [json.loads(line) for line in kills_log.read_text().splitlines()] if kills_log.exists() else []
        )
    passed = sum(o["outcome"] == "passed" for o in outcomes)
    # A kill "mid-job" found the job running (queued: before prepare began; succeeded: too late).
    mid_job = sum(k["status"] == "running" for k in kills)
    streak = best = 0
    for outcome in outcomes:
        streak = streak + 1 if outcome["outcome"] == "passed" else 0
        best = max(best, streak)
    figures = {
        "repeats": args.repeats,
        "seed": seed,
        "passed": passed,
        "failed": sum(o["outcome"] == "failed" for o in outcomes),
        "longest_passing_streak": best,
        "kills_mid_job": mid_job,
        "kills_whole_worker": sum(k["whole_worker"] for k in kills),
        "completed_s": [k.get("completed_s") for k in kills],  # from submission
        "completed_after_kill_s": [k.get("completed_after_kill_s") for k in kills],
        "wall_seconds": round(time.perf_counter() - started, 1),
        "runs": outcomes,
        "kills": kills,
    }
    table = Table(title=f"SIGKILL at random points (seed {seed})")
    for column in (
        "repeats",
        "passed",
        "failed",
        "longest streak",
        "kills mid-job",
        "whole worker",
        "completion s (max)",
        "wall s",
    ):
        table.add_column(column)
    table.add_row(
        str(args.repeats),
        str(passed),
        str(figures["failed"]),
        str(best),
        str(mid_job),
        str(figures["kills_whole_worker"]),
        str(max((k.get("completed_s") or 0 for k in kills), default="-")),
        str(figures["wall_seconds"]),
    )
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    sys.exit(0 if passed == args.repeats else 1)


if __name__ == "__main__":
    main()
