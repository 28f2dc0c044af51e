"""The App's use cases on an in-memory code host and real (SQLite) stores: runs, publishing,
supersession, follow-ups, commands."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from optiagent.adapters.store.github_app import SqlAppStore
from optiagent.adapters.store.jobs import SqlJobStore
from optiagent.domain.jobs import JobStatus
from optiagent.github_app.app import AppLimits, GitHubApp, tenant_of
from optiagent.github_app.gates import Trigger
from optiagent.github_app.render import SUMMARY_MARKER
from optiagent.ports.codehost import RetryLater
from optiagent.ports.github_app import RunStatus
from tests.fakes.codehost import FakeCodeHost
from tests.github_app.scenario import (
    FAST_LINE,
    HEAD_SHA,
    NEXT_SHA,
    REPO,
    changed_files,
    improved,
    is_prime_edit,
    primes_below_edit,
    pull_request,
    report,
    trees,
)


@dataclass
class Sent:
    prepared: list[str] = field(default_factory=list)
    watched: list[str] = field(default_factory=list)

    def prepare(self, job_id: str) -> None:
        self.prepared.append(job_id)

    def run_target(self, job_id: str, index: int) -> None: ...

    def finalize(self, job_id: str) -> None: ...

    def handle(self, delivery_id: str) -> None: ...

    def watch(self, run_id: str, delay_s: float) -> None:
        self.watched.append(run_id)


@dataclass
class World:
    app: GitHubApp
    host: FakeCodeHost
    store: SqlAppStore
    jobs: SqlJobStore
    sent: Sent

    def finish(self, *targets: dict[str, Any]) -> str:
        """The job of the latest run ends with these targets; the watcher publishes."""
        run = self.store.latest_run(REPO.full_name, 7)
        assert run is not None and run.job_id is not None
        self.jobs.finish_job(run.job_id, JobStatus.SUCCEEDED, report(*targets))
        self.app.watch(run.id)
        return run.id


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database, copied per test (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("github-app") / "template.db"
    SqlAppStore(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def world(tmp_path: Path, migrated: Path) -> Iterator[World]:
    shutil.copy(migrated, tmp_path / "state.db")
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store, jobs, sent = SqlAppStore(url), SqlJobStore(url), Sent()
    host = FakeCodeHost(REPO, trees=trees(), permissions={"maintainer": "write"})
    host.pulls[7] = pull_request()
    host.files[7] = changed_files()
    app = GitHubApp(lambda repo: host, store, jobs, sent, sent, AppLimits(poll_s=0.1))
    yield World(app, host, store, jobs, sent)
    store.close()
    jobs.close()


def both_edits() -> tuple[dict[str, Any], dict[str, Any]]:
    return improved("primes_below", primes_below_edit()), improved("is_prime", is_prime_edit(), ci=(1.2, 1.4))


def test_a_run_submits_the_changed_functions_of_the_head_as_the_installations_job(world: World) -> None:
    """One check run, a job of the head's tarball naming the changed function, in the installation's tenant."""
    run = world.app.start(REPO, 7, Trigger.PUSH)
    assert run is not None and run.status is RunStatus.RUNNING and run.functions == ("primes_below",)
    job = world.jobs.get_job(run.job_id or "")
    assert job is not None and job.tenant == tenant_of(42) and job.spec.functions == ("primes_below",)
    assert job.idempotency_key == f"acme/speed#7@{HEAD_SHA}/1" and job.spec.min_speedup == 1.10
    assert world.jobs.archive(job.id) == world.host.tarball(HEAD_SHA)
    assert len(world.host.check_runs) == 1 and world.sent.watched == [run.id]
    assert world.app.start(REPO, 7, Trigger.PUSH) == world.store.get_run(run.id)  # a redelivered event
    assert len(world.host.check_runs) == 1


def test_publishing_a_review_a_summary_and_a_neutral_check(world: World) -> None:
    """A suggestion in one review at the head, the rest in the summary, the check neutral with annotations."""
    world.app.start(REPO, 7, Trigger.PUSH)
    world.finish(*both_edits())
    [review] = world.host.reviews
    assert review["commit_id"] == HEAD_SHA and len(review["comments"]) == 1
    assert f"```suggestion\n{FAST_LINE}\n```" in review["comments"][0].body
    [summary] = world.host.issue_comments[7]
    assert SUMMARY_MARKER in summary.body and "is_prime" in summary.body and "/optiagent pr" in summary.body
    check = world.host.final(next(iter(world.host.check_runs)))
    assert check.status == "completed" and check.conclusion == "neutral"
    assert check.output is not None and [a.path for a in check.output.annotations] == ["ex_primes.py"]
    assert [a.identifier for a in check.actions] == ["followup"]
    assert not world.host.branches  # a follow-up only on request


def test_a_run_without_findings_succeeds_without_a_comment(world: World) -> None:
    """No verified speedup: the check succeeds and nothing is written to the conversation."""
    world.app.start(REPO, 7, Trigger.PUSH)
    world.finish(improved("primes_below", primes_below_edit(), ci=(1.01, 1.3)))
    assert world.host.final(next(iter(world.host.check_runs))).conclusion == "success"
    assert 7 not in world.host.issue_comments and not world.host.reviews


def test_a_new_push_supersedes_the_running_job_and_it_publishes_nothing(world: World) -> None:
    """The older head's job is cancelled, its check ends neutral 'superseded', nothing is posted for it."""
    first = world.app.start(REPO, 7, Trigger.PUSH)
    assert first is not None
    world.host.pulls[7] = pull_request(head_sha=NEXT_SHA)
    second = world.app.start(REPO, 7, Trigger.PUSH)
    assert second is not None and second.head_sha == NEXT_SHA
    old = world.store.get_run(first.id)
    assert old is not None and old.status is RunStatus.SUPERSEDED
    old_job = world.jobs.get_job(first.job_id or "")
    assert old_job is not None and old_job.status is JobStatus.CANCELLED
    world.app.watch(first.id)
    old_check = world.host.final(first.check_run_id or 0)
    assert old_check.conclusion == "neutral" and old_check.output and "Superseded" in old_check.output.title
    assert not world.host.reviews and 7 not in world.host.issue_comments
    assert len(world.host.check_runs) == 2  # one per head SHA


def test_a_head_that_moved_while_the_job_ran_publishes_nothing(world: World) -> None:
    """Publishing checks the head first: a moved head ends the run neutral without a review or comment."""
    world.app.start(REPO, 7, Trigger.PUSH)
    world.host.pulls[7] = pull_request(head_sha=NEXT_SHA)
    run_id = world.finish(*both_edits())
    run = world.store.get_run(run_id)
    assert run is not None and run.status is RunStatus.SUPERSEDED
    assert not world.host.reviews and 7 not in world.host.issue_comments and not world.host.branches


def test_the_summary_is_edited_in_place_never_duplicated(world: World) -> None:
    """A second run of the pull request edits the one summary comment."""
    world.app.start(REPO, 7, Trigger.PUSH)
    world.finish(*both_edits())
    world.host.pulls[7] = pull_request(head_sha=NEXT_SHA)
    world.app.start(REPO, 7, Trigger.PUSH)
    world.finish(improved("primes_below", primes_below_edit()))
    [summary] = world.host.issue_comments[7]
    assert NEXT_SHA[:7] in summary.body and "is_prime" not in summary.body
    assert world.host.writes.count("comment") == 1 and world.host.writes.count("edit_comment") == 1


def test_followup_on_command_then_updated_and_closed_with_its_source(world: World) -> None:
    """`/optiagent pr` opens optiagent/pr-7 against the head branch; the user's branch is never written."""
    world.app.start(REPO, 7, Trigger.PUSH)
    world.finish(*both_edits())
    world.app.followup(REPO, 7)
    [(number, opened)] = world.host.opened.items()
    assert opened["head"] == "optiagent/pr-7" and opened["base"] == "feature/primes"
    assert set(world.host.branches) == {"optiagent/pr-7"}
    assert "math.isqrt(n)" in world.host.branches["optiagent/pr-7"]["ex_primes.py"]
    assert FAST_LINE not in world.host.branches["optiagent/pr-7"]["ex_primes.py"]  # that one is a suggestion
    assert f"#{number}" in world.host.issue_comments[7][0].body
    world.host.pulls[7] = pull_request(head_sha=NEXT_SHA)  # a re-run updates the same follow-up
    world.app.start(REPO, 7, Trigger.PUSH)
    world.finish(*both_edits())
    assert len(world.host.opened) == 1 and world.host.writes.count("update_pull") == 1
    world.app.close(REPO, 7)
    assert world.host.opened[number]["state"] == "closed"


def test_a_fork_runs_only_on_command_and_never_gets_a_followup(world: World) -> None:
    """A fork's push is skipped (a check, no comment); on a maintainer's command it runs; its rest is a patch."""
    world.host.pulls[7] = pull_request(fork=True)
    assert world.app.start(REPO, 7, Trigger.PUSH) is None
    [check] = world.host.check_runs.values()
    assert check["updates"][-1].conclusion == "skipped" and 7 not in world.host.issue_comments
    run = world.app.start(REPO, 7, Trigger.COMMAND)
    assert run is not None and run.fork and run.attempt == 1 and len(world.host.check_runs) == 1
    world.finish(*both_edits())
    world.app.followup(REPO, 7)
    assert not world.host.branches and not world.host.opened
    assert "```diff" in world.host.issue_comments[7][0].body


def test_a_refused_review_moves_its_suggestions_to_the_summary(world: World) -> None:
    """GitHub's 422 on the review: the suggestion appears as a patch in the summary instead."""
    world.app.start(REPO, 7, Trigger.PUSH)
    world.host.refuse_reviews = True
    world.finish(improved("primes_below", primes_below_edit()))
    assert not world.host.reviews
    assert "Patches" in world.host.issue_comments[7][0].body


def test_commands_need_write_permission_and_are_acknowledged(world: World) -> None:
    """A reader's command does nothing; a maintainer's is acknowledged with a reaction and pauses runs."""

    def comment(user: str, body: str, comment_id: int) -> dict[str, Any]:
        return {
            "action": "created",
            "installation": {"id": 42},
            "repository": {"full_name": "acme/speed"},
            "issue": {"number": 7, "pull_request": {"url": "x"}},
            "comment": {"id": comment_id, "body": body, "user": {"login": user, "type": "User"}},
            "sender": {"login": user, "type": "User"},
        }

    world.app.dispatch("issue_comment", comment("reader", "/optiagent pause", 1))
    assert not world.host.reactions and not world.store.paused("acme/speed")
    world.app.dispatch("issue_comment", comment("maintainer", "/optiagent pause", 2))
    assert world.host.reactions == [(2, "eyes")] and world.store.paused("acme/speed")
    assert world.app.start(REPO, 7, Trigger.PUSH) is None
    world.app.dispatch("issue_comment", comment("maintainer", "/optiagent resume", 3))
    world.app.dispatch("issue_comment", comment("maintainer", "/optiagent run", 4))
    run = world.store.latest_run("acme/speed", 7)
    assert run is not None and run.status is RunStatus.RUNNING and run.attempt == 1
    assert len(world.host.check_runs) == 1  # the skipped check run of this head, reused
    world.app.dispatch("issue_comment", comment("maintainer", "/optiagent stop", 5))
    stopped = world.store.get_run(run.id)
    assert stopped is not None and stopped.status is RunStatus.STOPPED


def test_concurrent_runs_are_deferred_not_slept_on(world: World) -> None:
    """An installation at its concurrent runs gets RetryLater (the task is rescheduled)."""
    world.app.limits = AppLimits(concurrent_runs=1)
    world.app.start(REPO, 7, Trigger.PUSH)
    world.host.pulls[8] = pull_request(number=8, head_sha=NEXT_SHA)
    world.host.files[8] = changed_files()
    with pytest.raises(RetryLater):
        world.app.start(REPO, 8, Trigger.PUSH)
