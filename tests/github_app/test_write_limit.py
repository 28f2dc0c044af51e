"""The App's write-rate limit holds per installation across worker processes (counted in Redis),
and within a process when Redis is down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from optiagent.adapters.codehost.limits import RedisWriteLimiter
from optiagent.ports.codehost import RetryLater
from tests.github_app.fake_github import Served
from tests.github_app.github_world import APP_ID, fake_github, key_pair
from tests.service.conftest import redis_url  # noqa: F401  (fixture)

REPO_ROOT = Path(__file__).resolve().parents[2]
# One worker process: five comments on pull request 7 through the githubkit code host, the limit in Redis.
WORKER = """
import json, os, sys
from optiagent.adapters.codehost.github import GitHubApps
from optiagent.adapters.codehost.limits import RedisWriteLimiter
from optiagent.ports.codehost import Repo, RetryLater

limiter = RedisWriteLimiter.from_url(os.environ["REDIS_URL"], 4)
limiter.prefix = os.environ["PREFIX"]
host = GitHubApps(os.environ["APP_ID"], os.environ["KEY"], os.environ["API_URL"], limiter).for_repo(
    Repo(42, "acme", "speed")
)
done, later = 0, []
for n in range(5):
    try:
        host.comment(7, f"{os.getpid()} {n}")
        done += 1
    except RetryLater as error:
        later.append(error.after_s)
print(json.dumps({"done": done, "later": later}))
"""


def test_two_worker_processes_share_one_installations_write_limit(
    redis_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Two processes, 5 comments each, a limit of 4 a minute: GitHub receives 4 in all; the rest are told
    to retry within the minute (each process alone would have sent 4)."""
    keys = key_pair()
    app_id = str(int(APP_ID) + 900)
    fake = fake_github(keys, app_id=app_id)
    with Served(fake) as server:
        env = dict(os.environ) | {
            "REDIS_URL": redis_url,
            "PREFIX": f"test:{uuid.uuid4().hex}",
            "APP_ID": app_id,
            "KEY": keys.private_pem,
            "API_URL": server.url,
            "PYTHONPATH": str(REPO_ROOT),
        }
        workers = [
            subprocess.Popen([sys.executable, "-c", WORKER], env=env, stdout=subprocess.PIPE, cwd=REPO_ROOT)
            for _ in range(2)
        ]
        results = [json.loads(w.communicate(timeout=120)[0]) for w in workers]
    assert sum(r["done"] for r in results) == 4 == len(fake.comments)
    waits = [after for r in results for after in r["later"]]
    assert len(waits) == 6 and all(0 < after <= 61 for after in waits)
    assert fake.violations == []


def test_without_redis_each_process_still_counts_its_own_writes() -> None:
    """Redis does not answer: the limit falls back to this process's count instead of lifting."""
    limiter = RedisWriteLimiter.from_url("redis://127.0.0.1:1/0", 2)
    limiter.acquire(42)
    limiter.acquire(42)
    with pytest.raises(RetryLater):
        limiter.acquire(42)
    limiter.acquire(43)
