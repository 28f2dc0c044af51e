"""Crash safety with real Celery workers: a worker SIGKILLed at a random point of a job (the whole
worker, or only its pool process) leaves the job to be picked up again; it completes, and history
holds exactly one target row and at most one accepted edit per target. A step whose workers died
more often than allowed fails the job with the reason.

OPTIAGENT_CRASH_REPEATS sets how many random kills the suite tries (default 2, to stay quick);
benchmarks/crash_repeat.py runs it many times and reports the pass count and each job's time to
completion (it can also pin the kill's moment and kind, and give the workers other lease settings).
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import pytest

from tests.service.conftest import WorkerFactory
from tests.service.history import rows_per_target, wait_for_ready, wait_for_running_target
from tests.service.stack import EXAMPLES, PRIMES_FUNCTIONS, TERMINAL, Client, tar_gz

pytestmark = pytest.mark.slow
REPEATS = int(os.environ.get("OPTIAGENT_CRASH_REPEATS", "2"))
SEED = int(os.environ.get("OPTIAGENT_CRASH_SEED", str(time.time_ns())))
LATEST_KILL_S = 15.0  # about the length of the job on one worker
# Set by benchmarks/crash_repeat.py: worker settings (e.g. production leases), a fixed kill moment/kind.
WORKER_SETTINGS: dict[str, str] = json.loads(os.environ.get("OPTIAGENT_CRASH_WORKER_ENV", "{}"))
KILL_AT = os.environ.get("OPTIAGENT_CRASH_KILL_AT")
WHOLE = os.environ.get("OPTIAGENT_CRASH_WHOLE")


@pytest.mark.parametrize("repetition", range(REPEATS))
def test_sigkill_at_a_random_point_loses_nothing(
    client: Client, workers: WorkerFactory, database_url: str, repetition: int
) -> None:
    rng = random.Random(SEED + repetition)
    worker = workers(**WORKER_SETTINGS)
    wait_for_ready(worker.log)
    response = client.submit_archive(
        tar_gz(EXAMPLES / "primes"), functions=",".join(PRIMES_FUNCTIONS), workload="python workload.py"
    )
    submitted = time.monotonic()
    job_id = response.json()["id"]
    delay, whole = rng.uniform(0.2, LATEST_KILL_S), rng.random() < 0.5
    delay = float(KILL_AT) if KILL_AT else delay
    whole = WHOLE == "1" if WHOLE else whole
    if KILL_AT:  # a pinned kill lands on a claimed step: that many seconds after the job started
        _wait_until_running(client, job_id)
    time.sleep(delay)
    killed = time.monotonic()
    at_kill = client.job(job_id)
    status_at_kill = at_kill["status"]
    if whole or not worker.children():
        worker.kill_group()
        workers(**WORKER_SETTINGS)  # a replacement, as an orchestrator would start
    else:
        for child in worker.children():
            os.kill(child, 9)  # the pool process dies; the worker hands its task back
    job = client.wait(job_id, timeout_s=1800)
    _record_kill(delay, whole, at_kill, time.monotonic() - submitted, time.monotonic() - killed)
    context = f"seed {SEED + repetition}: kill after {delay:.1f}s (whole={whole}, job was {status_at_kill})"
    assert job["status"] == "succeeded", f"{context}: {job}"
    report = client.report(job_id)
    labels = {(t["file"], t["qualname"]) for t in report["targets"]}
    assert len(report["targets"]) == len(labels) == len(PRIMES_FUNCTIONS), context
    assert all(t["status"] != "failed" for t in report["targets"]), context
    targets = rows_per_target(database_url, job_id, "targets")
    edits = rows_per_target(database_url, job_id, "accepted_edits")
    assert set(targets) == labels and set(targets.values()) == {1}, f"{context}: {targets}"
    improved = {(t["file"], t["qualname"]) for t in report["targets"] if t["status"] == "improved"}
    assert set(edits) == improved and set(edits.values()) <= {1}, f"{context}: {edits}"


def _wait_until_running(client: Client, job_id: str) -> None:
    deadline = time.monotonic() + 300
    while client.job(job_id)["status"] == "queued" and time.monotonic() < deadline:
        time.sleep(0.1)


def _record_kill(
    delay: float, whole: bool, job: dict[str, object], completed_s: float, after_kill_s: float
) -> None:
    """Where the kill landed and when the job ended (seconds from submission and from the kill),
    for benchmarks/crash_repeat.py (OPTIAGENT_CRASH_LOG names the file)."""
    path = os.environ.get("OPTIAGENT_CRASH_LOG")
    if path:
        entry = {"delay_s": round(delay, 2), "whole_worker": whole, "status": job["status"]}
        entry["progress"] = job["progress"]
        entry["completed_s"] = round(completed_s, 1)
        entry["completed_after_kill_s"] = round(after_kill_s, 1)
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")


def test_a_step_whose_workers_keep_dying_fails_the_job(
    client: Client, workers: WorkerFactory, database_url: str, tmp_path: Path
) -> None:
    strict = {"OPTIAGENT_WORKER__MAX_WORKER_DEATHS": "0"}
    worker = workers(**strict)
    job_id = client.submit_archive(
        tar_gz(EXAMPLES / "primes"), functions="primes_below", workload="python workload.py"
    ).json()["id"]
    wait_for_running_target(database_url, job_id)
    worker.kill_group()
    workers(**strict)
    job = client.wait(job_id)
    assert job["status"] == "failed"
    assert "died 1 time(s) running ex_primes.py::primes_below, more than the limit of 0" in job["error"]
    assert job["status"] in TERMINAL
