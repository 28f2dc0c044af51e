"""Lost tasks and the check run's button, with the githubkit code host against the fake GitHub over
real HTTP: a recorded delivery whose task was lost is sent again by the sweep and handled once; a
lost watch is sent again and publishes once; the button opens the follow-up like `/optiagent pr`."""

from __future__ import annotations

import itertools
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from optiagent.adapters.codehost.github import GitHubApps
from optiagent.adapters.codehost.limits import WriteLimiter
from optiagent.adapters.store.github_app import SqlAppStore
from optiagent.adapters.store.jobs import SqlJobStore
from optiagent.domain.jobs import JobStatus
from optiagent.github_app.app import MAX_DELIVERY_FAILURES, AppLimits, GitHubApp
from optiagent.github_app.render import SUMMARY_MARKER
from optiagent.ports.codehost import CodeHostError, RetryLater
from optiagent.ports.github_app import RunStatus
from tests.github_app.fake_github import FakeGitHub, Served
from tests.github_app.github_world import APP_ID, fake_github, key_pair
from tests.github_app.payloads import pull_request_event, requested_action_event
from tests.github_app.scenario import HEAD_SHA, REPO, improved, is_prime_edit, primes_below_edit, report

KEYS = key_pair()
# githubkit keeps installation tokens in this process's memory per App: one App id per test
APP_IDS = itertools.count(int(APP_ID) + 500)


@dataclass
class Sent:
    """The tasks the App sent (nothing runs them: a test plays the worker, or loses them)."""

    handled: list[str] = field(default_factory=list)
    watched: list[str] = field(default_factory=list)

    def prepare(self, job_id: str) -> None: ...

    def run_target(self, job_id: str, index: int) -> None: ...

    def finalize(self, job_id: str) -> None: ...

    def handle(self, delivery_id: str) -> None:
        self.handled.append(delivery_id)

    def watch(self, run_id: str, delay_s: float) -> None:
        self.watched.append(run_id)


@dataclass
class World:
    app: GitHubApp
    fake: FakeGitHub
    store: SqlAppStore
    jobs: SqlJobStore
    sent: Sent

    def finish_job(self) -> str:
        """The latest run's job ends with both edits: one suggestion, one for the follow-up."""
        run = self.store.latest_run(REPO.full_name, 7)
        assert run is not None and run.job_id is not None
        both = (
            improved("primes_below", primes_below_edit()),
            improved("is_prime", is_prime_edit(), (1.2, 1.4)),
        )
        self.jobs.finish_job(run.job_id, JobStatus.SUCCEEDED, report(*both))
        return run.id


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("github-recovery") / "template.db"
    SqlAppStore(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def world(tmp_path: Path, migrated: Path) -> Iterator[World]:
    shutil.copy(migrated, tmp_path / "state.db")
    url = f"sqlite:///{tmp_path / 'state.db'}"
    app_id = str(next(APP_IDS))
    fake = fake_github(KEYS, app_id=app_id)
    fake.permissions["reader"] = "read"
    store, jobs, sent = SqlAppStore(url), SqlJobStore(url), Sent()
    with Served(fake) as server:
        apps = GitHubApps(app_id, KEYS.private_pem, server.url, WriteLimiter(100))
        app = GitHubApp(apps.for_repo, store, jobs, sent, sent, AppLimits(poll_s=0.1))
        yield World(app, fake, store, jobs, sent)
    store.close()
    jobs.close()


def test_a_delivery_whose_task_was_lost_is_sent_again_and_handled_once(world: World) -> None:
    """Recorded, its task lost: not stalled yet, nothing is sent; past the wait, one task; handled, no more."""
    assert world.store.record_delivery("d-1", "pull_request", pull_request_event())
    assert world.app.sweep(stalled_s=300) == 0 and world.sent.handled == []
    assert world.app.sweep(stalled_s=0) == 1 and world.sent.handled == ["d-1"]
    assert world.app.sweep(stalled_s=5) == 0  # marked due now: another sweeper does not send it too
    world.app.handle("d-1")
    world.app.handle("d-1")  # the original task, found late: nothing to do
    [check] = world.fake.check_runs.values()
    assert check["head_sha"] == HEAD_SHA and check["history"][-1]["status"] == "in_progress"
    time.sleep(0.01)
    assert world.app.sweep(stalled_s=0) == 0 and world.sent.handled == ["d-1"]
    assert world.fake.violations == []


def test_a_delivery_held_by_a_live_handler_is_not_sent_again(world: World) -> None:
    """A leased delivery is left to its handler; once the lease lapses (a dead worker) it is sent again."""
    world.store.record_delivery("d-1", "pull_request", pull_request_event())
    assert world.store.claim_delivery("d-1", lease_s=600) is not None
    world.app.handle("d-1")  # a second copy of the task while the first runs: does nothing
    assert world.app.sweep(stalled_s=0) == 0 and not world.fake.check_runs
    assert world.store.claim_delivery("d-1", lease_s=-1) is None  # still held
    world.store.defer_delivery("d-1", 0)  # (the handler's lease lapsing, without waiting for it)
    assert world.app.sweep(stalled_s=0) == 1
    world.app.handle(world.sent.handled[-1])
    assert len(world.fake.check_runs) == 1


def test_a_rate_limited_delivery_waits_for_githubs_time_then_is_handled(world: World) -> None:
    """A 403 with retry-after: RetryLater, the delivery is not swept before that time, the retry handles it."""
    world.fake.inject("POST", f"/repos/{REPO.full_name}/check-runs", 403, {"retry-after": "120"})
    world.store.record_delivery("d-1", "pull_request", pull_request_event())
    with pytest.raises(RetryLater):
        world.app.handle("d-1")
    assert world.app.sweep(stalled_s=0) == 0
    world.app.handle("d-1")  # the task's own retry
    [check] = world.fake.check_runs.values()
    assert check["head_sha"] == HEAD_SHA


def test_a_delivery_that_keeps_failing_is_given_up(world: World) -> None:
    """A pull request GitHub does not know (404): counted each time, swept again, given up at the limit."""
    world.store.record_delivery("d-1", "pull_request", pull_request_event(number=99))
    for _ in range(MAX_DELIVERY_FAILURES):
        with pytest.raises(CodeHostError):
            world.app.handle("d-1")
    assert world.store.delivery("d-1") is None
    assert world.app.sweep(stalled_s=0) == 0 and world.sent.handled == []


def test_a_run_whose_delivery_is_given_up_is_stopped_not_left_starting(world: World) -> None:
    """The check run exists, then the tarball download fails every time (a 404: not a transient
    error, which is deferred instead): at the limit the run is stopped (it no longer holds a
    concurrent-run slot) and its check run says why."""
    for _ in range(MAX_DELIVERY_FAILURES):
        world.fake.inject("GET", f"/repos/{REPO.full_name}/tarball/.*", 404)
    world.store.record_delivery("d-1", "pull_request", pull_request_event())
    for attempt in range(MAX_DELIVERY_FAILURES):
        with pytest.raises(CodeHostError):
            world.app.handle("d-1")
        if attempt < MAX_DELIVERY_FAILURES - 1:
            assert world.store.count_active(REPO.installation_id) == 1  # still retried
            world.store.defer_delivery("d-1", 0)
    run = world.store.latest_run(REPO.full_name, 7)
    assert run is not None and run.status is RunStatus.STOPPED and "could not start" in run.reason
    assert world.store.count_active(REPO.installation_id) == 0
    [check] = world.fake.check_runs.values()
    last = check["history"][-1]
    assert (last["status"], last["conclusion"]) == ("completed", "neutral")
    assert "/optiagent run" in str(last)


def test_a_lost_watch_is_sent_again_and_publishes_once(world: World) -> None:
    """The run's watch task is lost: the sweep sends one; it publishes; a stray second watch does nothing."""
    world.store.record_delivery("d-1", "pull_request", pull_request_event())
    world.app.handle("d-1")
    [run_id] = world.sent.watched
    assert world.app.sweep(stalled_s=300) == 0
    time.sleep(0.2)  # past the run's next look (poll_s = 0.1)
    assert world.app.sweep(stalled_s=0) == 1 and world.sent.watched == [run_id, run_id]
    assert world.app.sweep(stalled_s=5) == 0
    world.finish_job()
    world.app.watch(run_id)
    world.app.watch(run_id)
    run = world.store.get_run(run_id)
    assert run is not None and run.status is RunStatus.DONE
    assert len(world.fake.reviews) == 1 and len(world.fake.comments) == 1
    assert world.app.sweep(stalled_s=0) == 0


def test_a_second_watch_never_publishes_a_run_another_watch_publishes(world: World) -> None:
    """Two watch chains of one run (the sweep's and a late original): while one publishes (its lease),
    the other does nothing; once the lease lapsed (the publisher died) the run is published, once."""
    world.store.record_delivery("d-1", "pull_request", pull_request_event())
    world.app.handle("d-1")
    [run_id] = world.sent.watched
    world.finish_job()
    run = world.store.get_run(run_id)
    assert run is not None
    world.store.update_run(replace(run, status=RunStatus.PUBLISHING), expected_status=RunStatus.RUNNING)
    world.store.set_watch_due(run_id, datetime.now(UTC) + timedelta(seconds=600))  # the other's lease
    world.app.watch(run_id)
    assert not world.fake.reviews and not world.fake.comments
    world.store.set_watch_due(run_id, datetime.now(UTC) - timedelta(seconds=1))  # it died: lapsed
    world.app.watch(run_id)
    world.app.watch(run_id)
    assert len(world.fake.reviews) == 1 and len(world.fake.comments) == 1


def test_the_check_runs_button_opens_the_followup_like_the_command(world: World) -> None:
    """requested_action "followup" from a writer opens optiagent/pr-7 on the head branch and names it in
    the summary; a reader's click and a bot's do nothing."""
    world.store.record_delivery("d-1", "pull_request", pull_request_event())
    world.app.handle("d-1")
    world.app.watch(world.finish_job())
    [check] = world.fake.check_runs.values()
    assert [a["identifier"] for a in check["history"][-1]["actions"]] == ["followup"]
    [summary] = world.fake.comments.values()

    for n, user in enumerate(["reader", "optiagent[bot]"]):
        world.store.record_delivery(f"click-{n}", "check_run", requested_action_event(user))
        world.app.handle(f"click-{n}")
    world.store.record_delivery(
        "other", "check_run", requested_action_event("maintainer", identifier="something")
    )
    world.app.handle("other")
    assert not world.fake.opened and not world.fake.refs

    world.store.record_delivery("click", "check_run", requested_action_event("maintainer"))
    world.app.handle("click")
    [(number, followup)] = world.fake.opened.items()
    assert followup["head"]["ref"] == "optiagent/pr-7" and followup["base"]["ref"] == "feature/primes"
    branch = world.fake.trees[world.fake.refs["refs/heads/optiagent/pr-7"]]["ex_primes.py"]
    assert "math.isqrt(n)" in branch
    assert list(world.fake.refs) == ["refs/heads/optiagent/pr-7"]
    edited = world.fake.comments[summary["id"]]
    assert SUMMARY_MARKER in edited["body"] and f"#{number}" in edited["body"] and edited["edits"] == 1
    world.store.record_delivery("click-again", "check_run", requested_action_event("maintainer"))
    world.app.handle("click-again")
    assert len(world.fake.opened) == 1 and len(world.fake.comments) == 1
    assert world.fake.violations == []
