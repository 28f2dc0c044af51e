"""End to end: GitHub's signed deliveries to the real API, the work on a real Celery worker with
Postgres, Redis and the local sandbox, everything the App writes recorded by the fake GitHub.

The repository has two slow functions; the pull request adds one (every line of it is in the diff:
its edit becomes a suggestion) and touches only the `def` line of the other (its edit's lines are
outside the diff: it goes to the follow-up on `/optiagent pr`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from optiagent.adapters.store.github_app import SqlAppStore
from optiagent.github_app.render import SUMMARY_MARKER
from optiagent.github_app.signature import sign
from tests.github_app.fake_github import FakeGitHub, Served
from tests.github_app.github_world import fake_github, key_pair
from tests.github_app.payloads import (
    installation_event,
    issue_comment_event,
    pull_request_event,
    requested_action_event,
)
from tests.github_app.scenario import BASE_SHA, HEAD_SHA, REPO, patch
from tests.service.conftest import database_url, redis_url  # noqa: F401  (fixtures)
from tests.service.stack import Process, service_env, start_api, start_worker

pytestmark = pytest.mark.slow
SECRET = "e2e-webhook-secret"
TIMEOUT_S = 240.0
SLOW_BODY = """    for n in range(2, limit):
        if all([n % p != 0 for p in found if p * p <= n]):
            found.append(n)
"""
TWINS = f'''def twin_primes_below(limit{{annotation}}:
    """Pairs (p, p + 2) of primes below ``limit``."""
    found = []
{SLOW_BODY}    return [(p, q) for p, q in zip(found, found[1:]) if q - p == 2]
'''
PRIMES = f'''def primes_below(limit: int) -> list[int]:
    """All primes below ``limit``, by trial division against the primes found so far."""
    found: list[int] = []
{SLOW_BODY}    return found
'''
BASE = '"""Primes by trial division."""\n\n\n' + TWINS.replace("{annotation}", ")")
HEAD = (
    '"""Primes by trial division."""\n\n\n'
    + PRIMES
    + "\n\n"
    + TWINS.replace("{annotation}", ": int) -> list[tuple[int, int]]")
)
WORKLOAD = """from sieve import primes_below, twin_primes_below

for _ in range(3):
    print(len(primes_below(5000)), len(twin_primes_below(5000)))
"""
PYPROJECT = (
    '[tool.optiagent]\nworkload = "python workload.py"\n\n[tool.optiagent.github]\nmin_speedup = 1.10\n'
)


@pytest.fixture
def world(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[tuple[FakeGitHub, str]]:  # noqa: F811
    keys = key_pair()
    fake = fake_github(keys, app_id="271828")
    fake.trees = {
        BASE_SHA: {"pyproject.toml": PYPROJECT, "sieve.py": BASE, "workload.py": WORKLOAD},
        HEAD_SHA: {"pyproject.toml": PYPROJECT, "sieve.py": HEAD, "workload.py": WORKLOAD},
    }
    fake.files[7] = [{"filename": "sieve.py", "status": "modified", "patch": patch(BASE, HEAD)}]
    fake.page_size = 2
    # One secondary rate limit and one server error on the way: both rescheduled, not slept on.
    fake.inject("POST", f"/repos/{REPO.full_name}/check-runs", 403, {"retry-after": "1"})
    fake.inject("GET", f"/repos/{REPO.full_name}/pulls/7/files", 502)
    processes: list[Process] = []
    with Served(fake) as github:
        env = service_env(database_url, redis_url, tmp_path / "workspace") | {
            "OPTIAGENT_GITHUB__APP_ID": fake.app_id,
            "OPTIAGENT_GITHUB__PRIVATE_KEY": keys.private_pem,
            "OPTIAGENT_GITHUB__WEBHOOK_SECRET": SECRET,
            "OPTIAGENT_GITHUB__API_URL": github.url,
            "OPTIAGENT_GITHUB__POLL_S": "1",
            "OPTIAGENT_WORKER__CONCURRENCY": "2",
        }
        try:
            api, url = start_api(env, tmp_path / "api.log")
            processes.append(api)
            processes.append(start_worker(env, tmp_path / "worker.log"))
            yield fake, url
        finally:
            for process in processes:
                process.stop()
            for log in sorted(tmp_path.glob("*.log")):
                print(f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-30:]))


def deliver(
    url: str, event: str, payload: dict[str, Any], delivery: str, secret: str = SECRET
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": sign(secret, body),
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/e2e",
    }
    return httpx.post(f"{url}/github/webhook", content=body, headers=headers, timeout=10)


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout_s:.0f} s for {what}")
        time.sleep(0.2)


def completed(fake: FakeGitHub) -> list[dict[str, Any]]:
    return [
        history[-1]
        for run in fake.check_runs.values()
        if (history := run["history"])[-1].get("status") == "completed"
    ]


def test_a_pull_request_gets_a_check_a_suggestion_a_summary_and_on_command_a_followup(
    world: tuple[FakeGitHub, str],
    database_url: str,  # noqa: F811
) -> None:
    """pull_request.opened -> one completed check run, a review with a suggestion, one summary; a
    redelivery and a bad signature change nothing; `/optiagent pr` opens optiagent/pr-7; the check
    run's button, whose task was lost, is handled by the sweep and updates it."""
    fake, url = world
    # GitHub's payloads reach 25 MB, over the API's default body limit (21 MB): the webhook has its own.
    large = {"action": "created", "padding": "x" * (23 * 2**20)}
    assert deliver(url, "star", large, "large-1").json()["status"] == "ignored"  # signed, read, verified
    assert deliver(url, "star", large | {"padding": "x" * (26 * 2**20)}, "large-2").status_code == 413
    assert deliver(url, "installation", installation_event(), "install-1").status_code == 202
    started = time.monotonic()
    opened = deliver(url, "pull_request", pull_request_event(), "delivery-1")
    assert (opened.status_code, opened.json()["status"]) == (202, "queued")
    assert opened.elapsed.total_seconds() < 2
    assert deliver(url, "pull_request", pull_request_event(), "delivery-1").json()["status"] == "duplicate"
    assert deliver(url, "pull_request", pull_request_event(), "delivery-x", secret="wrong").status_code == 401

    wait_for(lambda: bool(completed(fake)), "a completed check run")
    elapsed = time.monotonic() - started
    print(f"webhook -> completed check run: {elapsed:.1f} s")
    Path("/tmp/optiagent-github-e2e.json").write_text(json.dumps({"webhook_to_completed_check_s": elapsed}))

    [(check_id, check)] = fake.check_runs.items()
    final = check["history"][-1]
    assert check["head_sha"] == HEAD_SHA and check["name"] == "optiagent"
    assert final["conclusion"] == "neutral", final
    assert [a["identifier"] for a in final.get("actions", [])] == ["followup"], final["output"]
    assert {a["path"] for a in final["output"]["annotations"]} == {"sieve.py"}
    [review] = fake.reviews
    assert review["commit_id"] == HEAD_SHA and review["event"] == "COMMENT"
    [suggestion] = review["comments"]
    assert (
        "```suggestion\n        if all(n % p != 0 for p in found if p * p <= n):\n```" in suggestion["body"]
    )
    assert "differential cases passed" in suggestion["body"]
    [summary] = fake.comments.values()
    assert SUMMARY_MARKER in summary["body"] and "twin_primes_below" in summary["body"]
    assert all(f.hits == 1 for f in fake.faults)  # the 403 and the 502 were met and retried

    command = issue_comment_event("/optiagent pr", user="maintainer")
    assert deliver(url, "issue_comment", command, "delivery-2").status_code == 202
    wait_for(lambda: bool(fake.opened) and fake.comments[summary["id"]]["edits"] >= 1, "the follow-up", 60)
    [followup] = fake.opened.values()
    assert followup["head"]["ref"] == "optiagent/pr-7" and followup["base"]["ref"] == "feature/primes"
    branch = fake.trees[fake.refs["refs/heads/optiagent/pr-7"]]["sieve.py"]
    assert branch.count("if all(n % p != 0") == 1 and branch.count("if all([n % p != 0") == 1
    assert fake.reactions == [{"comment_id": 5001, "content": "eyes"}]
    assert len(fake.check_runs) == 1 and len(fake.comments) == 1 and len(fake.reviews) == 1
    assert list(fake.refs) == ["refs/heads/optiagent/pr-7"]
    assert fake.violations == []
    assert check_id in fake.check_runs

    # The check run's button, pressed while the broker lost its task: the delivery is only recorded;
    # the workers' sweep sends it, and it updates the same follow-up.
    store = SqlAppStore(database_url)
    assert store.record_delivery("delivery-3", "check_run", requested_action_event("maintainer"))
    store.close()
    [number] = fake.opened
    wait_for(lambda: f"PATCH /repos/{REPO.full_name}/pulls/{number}" in fake.requests, "the button", 90)
    assert len(fake.opened) == 1 and list(fake.refs) == ["refs/heads/optiagent/pr-7"]
    assert len(fake.check_runs) == 1 and len(fake.comments) == 1 and fake.violations == []
