"""The githubkit code host against the fake GitHub over real HTTP: tokens, paging, refusals, faults."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from optiagent.adapters.codehost.github import GitHubApps, GitHubCodeHost
from optiagent.adapters.codehost.limits import WriteLimiter
from optiagent.ports.codehost import (
    CheckOutput,
    CheckUpdate,
    FileChange,
    ForbiddenRef,
    RetryLater,
    ReviewComment,
    Unprocessable,
)
from tests.github_app.fake_github import FakeGitHub, Served
from tests.github_app.github_world import APP_ID, fake_github, key_pair
from tests.github_app.scenario import HEAD_SHA, REPO

KEYS = key_pair()
APP_IDS = itertools.count(int(APP_ID))


@pytest.fixture
def served() -> Iterator[tuple[FakeGitHub, GitHubCodeHost]]:
    # githubkit keeps installation tokens in this process's memory per App: one App id per test
    app_id = str(next(APP_IDS))
    fake = fake_github(KEYS, app_id=app_id)
    with Served(fake) as server:
        apps = GitHubApps(app_id, KEYS.private_pem, server.url, WriteLimiter(100))
        yield fake, apps.for_repo(REPO)


def test_the_app_jwt_buys_a_token_scoped_to_one_repository(served: tuple[FakeGitHub, GitHubCodeHost]) -> None:
    """The token route accepted the JWT; the token asked for names only this repository; it is reused."""
    fake, host = served
    assert host.pull_request(7).head_sha == HEAD_SHA
    assert host.file_text("pyproject.toml", HEAD_SHA) is not None
    assert fake.token_requests == [{"repositories": ["speed"]}]
    assert fake.violations == []


def test_lists_follow_link_paging(served: tuple[FakeGitHub, GitHubCodeHost]) -> None:
    """Two changed files on pages of one are both listed; the second page was asked for by its Link."""
    fake, host = served
    assert [f.path for f in host.pull_files(7)] == ["README.md", "ex_primes.py"]
    assert fake.requests.count(f"GET /repos/{REPO.full_name}/pulls/7/files") == 2


def test_a_secondary_rate_limit_and_a_502_say_when_to_retry(
    served: tuple[FakeGitHub, GitHubCodeHost],
) -> None:
    """403 with retry-after gives RetryLater after that long; a 502 gives RetryLater; then it works."""
    fake, host = served
    fake.inject("POST", f"/repos/{REPO.full_name}/check-runs", 403, {"retry-after": "7"})
    fake.inject("GET", f"/repos/{REPO.full_name}/pulls/7", 502)
    update = CheckUpdate("queued", output=CheckOutput("Queued", "…"))
    with pytest.raises(RetryLater) as limited:
        host.create_check_run(HEAD_SHA, "optiagent", "x", update)
    assert limited.value.after_s == 7
    with pytest.raises(RetryLater):
        host.pull_request(7)
    assert host.create_check_run(HEAD_SHA, "optiagent", "x", update) in fake.check_runs
    assert host.pull_request(7).number == 7


def test_review_comments_outside_the_diff_are_refused(served: tuple[FakeGitHub, GitHubCodeHost]) -> None:
    """Line 7 of ex_primes.py is not in the pull request's diff: GitHub's 422 becomes Unprocessable."""
    fake, host = served
    with pytest.raises(Unprocessable):
        host.create_review(7, HEAD_SHA, "x", [ReviewComment("ex_primes.py", 7, "no")])
    host.create_review(7, HEAD_SHA, "x", [ReviewComment("ex_primes.py", 20, "yes", start_line=19)])
    assert len(fake.reviews) == 1


def test_only_optiagent_branches_are_written(served: tuple[FakeGitHub, GitHubCodeHost]) -> None:
    """A push to the user's branch is refused before any request; optiagent/pr-7 is created, then moved."""
    fake, host = served
    before = len(fake.requests)
    with pytest.raises(ForbiddenRef):
        host.push_branch("feature/primes", HEAD_SHA, "no", [FileChange("a.py", "x\n")])
    assert len(fake.requests) == before
    host.push_branch("optiagent/pr-7", HEAD_SHA, "one", [FileChange("a.py", "1\n")])
    host.push_branch("optiagent/pr-7", HEAD_SHA, "two", [FileChange("a.py", "2\n")])
    assert list(fake.refs) == ["refs/heads/optiagent/pr-7"]
    assert fake.trees[fake.refs["refs/heads/optiagent/pr-7"]]["a.py"] == "2\n"
    assert fake.violations == []


def test_the_write_limit_defers_instead_of_sleeping() -> None:
    """Over its writes per minute an installation is told when to retry."""
    limiter = WriteLimiter(2)
    limiter.acquire(1)
    limiter.acquire(1)
    limiter.acquire(2)
    with pytest.raises(RetryLater) as later:
        limiter.acquire(1)
    assert 0 < later.value.after_s <= 61
