"""Jobs end to end over HTTP with two real Celery workers: an archive job and a file:// git job
both succeed, their reports match what `optiagent optimize --json` says about the same code, the
targets spread over both workers, progress streams as server-sent events, and history holds the
accepted edits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.conftest import WorkerFactory
from tests.service.history import wait_for_ready
from tests.service.stack import EXAMPLES, PRIMES_FUNCTIONS, REPO, Client, git_repository, tar_gz

pytestmark = pytest.mark.slow
SPEED_VERDICT = ("status", "strategy", "rules", "diff")
DECISIVE = 2.0  # a speedup whose interval clears this is far from any bar: noise cannot flip it


def cli_report(project: Path, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "cli-report.json"
    args = [sys.executable, "-m", "optiagent.cli", "optimize", str(project), "--sandbox", "local"]
    for name in PRIMES_FUNCTIONS:
        args += ["--function", name]
    args += ["--json", str(out), "--db", f"sqlite:///{tmp_path / 'cli.db'}", "--no-diffs"]
    subprocess.run(args, cwd=REPO, check=True, capture_output=True, timeout=900)
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def decisive(target: dict[str, Any]) -> bool:
    """A target whose speed verdict cannot depend on the machine's load: nothing was timed, or every
    measured candidate's interval lies far above the bar. (Two workers timing at once on two cores
    can pull a 1.2x candidate under 1.05x; that is the benchmark doing its job, not a mismatch.)"""
    return all(m["ci"] is not None and m["ci"][0] >= DECISIVE for m in target["measurements"])


def comparable(report: dict[str, Any], speed_compared: set[str]) -> dict[str, Any]:
    """What must not depend on where or how the run happened: targets, candidates, correctness
    verdicts, and the speed verdicts, winners and diffs of `speed_compared` targets."""
    targets = {}
    for t in report["targets"]:
        label = f"{t['file']}::{t['qualname']}"
        entry = {
            "candidates": t["candidates"],
            "rejected": sorted(r["verdict"] for r in t["rejected"]),
            "timed": len(t["measurements"]),
        }
        if label in speed_compared:
            entry |= {key: t[key] for key in SPEED_VERDICT}
        targets[label] = entry
    files = {
        f["file"]: sorted(e for e in f["edits"] if f"{f['file']}::{e}" in speed_compared)
        for f in report["files"]
    }
    return {
        "targets": targets,
        "skipped_files": report["skipped_files"],
        "strategies": report["strategies"],
        "files": {name: edits for name, edits in files.items() if edits},  # composed per file
    }


def events(client: Client, job_id: str) -> list[tuple[str, dict[str, Any]]]:
    seen: list[tuple[str, dict[str, Any]]] = []
    with client.http.stream(
        "GET", f"/v1/jobs/{job_id}/events", timeout=httpx.Timeout(30, read=600)
    ) as stream:
        name = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                seen.append((name, json.loads(line.removeprefix("data: "))))
    return seen


def test_archive_and_git_jobs_match_the_cli(client: Client, workers: WorkerFactory, tmp_path: Path) -> None:
    first, second = workers(), workers()
    for worker in (first, second):
        wait_for_ready(worker.log)
    options = {"functions": ",".join(PRIMES_FUNCTIONS), "workload": "python workload.py"}
    archive_job = client.submit_archive(tar_gz(EXAMPLES / "primes"), name="primes.tar.gz", **options)
    assert archive_job.status_code == 201
    url = git_repository(EXAMPLES / "primes", tmp_path / "primes-git")
    git_job = client.submit_git({"repo_url": url, "functions": list(PRIMES_FUNCTIONS)})
    assert git_job.status_code == 201

    stream = events(client, archive_job.json()["id"])
    assert stream[-1][0] == "end" and stream[-1][1]["status"] == "succeeded"
    done = [data["progress"]["targets_done"] for name, data in stream if name == "progress"]
    assert done == sorted(done) and done[-1] == len(PRIMES_FUNCTIONS)

    reports = []
    for job_id in (archive_job.json()["id"], git_job.json()["id"]):
        job = client.wait(job_id)
        assert job["status"] == "succeeded", job
        assert job["progress"] == {"targets_done": 3, "targets_total": 3}
        assert job["started_at"] <= job["finished_at"]
        reports.append(client.report(job_id))
    cli = cli_report(EXAMPLES / "primes", tmp_path)
    speed_compared = {f"{t['file']}::{t['qualname']}" for t in cli["targets"] if decisive(t)}
    expected = comparable(cli, speed_compared)
    # the comparison covers a real accepted edit, and the timed candidates that are not decisive
    assert any(t.get("status") == "improved" for t in expected["targets"].values())
    for report in reports:
        assert report["schema"] == 1
        assert comparable(report, speed_compared) == expected
    assert reports[1]["root"] == url

    worked = [w for w in (first, second) if "optiagent.targets.run" in w.log.read_text()]
    assert len(worked) == 2, "both workers should have run targets of these jobs"

    edits = client.http.get("/v1/edits", params={"repo": url}).json()
    improved = [t for t in reports[1]["targets"] if t["status"] == "improved"]
    assert sorted((e["file"], e["qualname"]) for e in edits) == sorted(
        (t["file"], t["qualname"]) for t in improved
    )
    assert all(e["run_id"] == git_job.json()["id"] for e in edits)
