"""The CodeHost port: what the GitHub App reads from and writes to a code host, one repository at a
time, with an installation's credentials that never leave the adapter.

Errors say what the caller should do: RetryLater (rate limited or the host is failing: schedule the
work again after `after_s`, never sleep), Unprocessable (the host refused the request's content, e.g.
a review comment outside the diff), NotFound. Writes to git refs are allowed only under
`refs/heads/optiagent/` (WRITABLE_BRANCH_PREFIX): the user's branches are never written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

WRITABLE_BRANCH_PREFIX = "optiagent/"
MAX_OUTPUT_CHARS = 65_535  # a check run's summary and text, a comment's body
MAX_ANNOTATIONS = 50  # per check-run request


class CodeHostError(Exception):
    """The host answered with an error the caller cannot fix by retrying."""


class RetryLater(CodeHostError):
    """Rate limited (403/429) or the host failed (5xx, timeout): try again after `after_s`."""

    def __init__(self, after_s: float, reason: str) -> None:
        super().__init__(f"{reason}; retry in {after_s:.0f} s")
        self.after_s, self.reason = after_s, reason


class Unprocessable(CodeHostError):
    """422: the host refused the content of the request."""


class NotFound(CodeHostError):
    pass


class ForbiddenRef(CodeHostError):
    """A write to a branch outside optiagent/ was asked for: refused before any request is sent."""


@dataclass(frozen=True)
class Repo:
    """A repository of an installation."""

    installation_id: int
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class PullRequest:
    number: int
    state: str  # open | closed
    draft: bool
    head_sha: str
    head_ref: str
    head_repo: str  # full name of the head's repository (another one for a fork)
    base_ref: str
    base_sha: str
    author: str
    author_is_bot: bool
    labels: tuple[str, ...] = ()
    title: str = ""

    def is_fork(self, repo: Repo) -> bool:
        return self.head_repo.lower() != repo.full_name.lower()

    @classmethod
    def from_api(cls, data: object) -> PullRequest | None:
        """Read tolerantly from a webhook's or the REST API's pull request object (None without a head)."""
        number, head_sha = field_of(data, "number"), field_of(data, "head", "sha")
        if not isinstance(number, int) or not isinstance(head_sha, str) or not head_sha:
            return None
        labels = field_of(data, "labels")
        names = [field_of(label, "name") for label in labels] if isinstance(labels, list) else []
        return cls(
            number=number,
            state=_str(data, "state") or "open",
            draft=field_of(data, "draft") is True,
            head_sha=head_sha,
            head_ref=_str(data, "head", "ref"),
            head_repo=_str(data, "head", "repo", "full_name"),
            base_ref=_str(data, "base", "ref"),
            base_sha=_str(data, "base", "sha"),
            author=_str(data, "user", "login"),
            author_is_bot=is_bot(field_of(data, "user")),
            labels=tuple(n for n in names if isinstance(n, str) and n),
            title=_str(data, "title"),
        )


@dataclass(frozen=True)
class ChangedFile:
    path: str
    status: str  # added | modified | removed | renamed | ...
    patch: str | None  # None for binary or very large diffs


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    author: str


@dataclass(frozen=True)
class Annotation:
    path: str
    start_line: int
    end_line: int
    message: str
    title: str = ""
    level: str = "notice"  # notice | warning | failure


@dataclass(frozen=True)
class CheckAction:
    """A button on the check run (label <= 20, description <= 40, identifier <= 20 characters)."""

    label: str
    description: str
    identifier: str


@dataclass(frozen=True)
class CheckOutput:
    title: str
    summary: str
    text: str = ""
    annotations: tuple[Annotation, ...] = ()


@dataclass(frozen=True)
class ReviewComment:
    path: str
    line: int  # RIGHT side, last line of the range
    body: str
    start_line: int | None = None  # first line of a multi-line range


@dataclass(frozen=True)
class FileChange:
    path: str
    content: str


@dataclass(frozen=True)
class CheckUpdate:
    status: str  # queued | in_progress | completed
    conclusion: str | None = None  # success | neutral | skipped (never failure)
    output: CheckOutput | None = None
    actions: tuple[CheckAction, ...] = ()
    details_url: str | None = None


class CodeHost(Protocol):
    """One repository of one installation (the adapter holds the installation's token)."""

    repo: Repo

    def pull_request(self, number: int) -> PullRequest: ...

    def pull_files(self, number: int) -> list[ChangedFile]:
        """Every changed file of the pull request (all pages)."""
        ...

    def file_text(self, path: str, ref: str) -> str | None:
        """The file at `ref`, or None when it does not exist there."""
        ...

    def tarball(self, sha: str) -> bytes: ...

    def permission(self, user: str) -> str:
        """admin | maintain | write | triage | read | none."""
        ...

    def react(self, comment_id: int, content: str) -> None: ...

    def comments(self, number: int) -> list[Comment]:
        """Every comment of the pull request's conversation (all pages)."""
        ...

    def comment(self, number: int, body: str) -> int: ...

    def edit_comment(self, comment_id: int, body: str) -> None: ...

    def create_check_run(self, head_sha: str, name: str, external_id: str, update: CheckUpdate) -> int: ...

    def update_check_run(self, check_run_id: int, update: CheckUpdate) -> None: ...

    def create_review(self, number: int, commit_id: str, body: str, comments: Sequence[ReviewComment]) -> int:
        """One review with event COMMENT; Unprocessable when a comment is outside the diff."""
        ...

    def push_branch(self, branch: str, parent_sha: str, message: str, changes: Sequence[FileChange]) -> str:
        """One commit on top of `parent_sha` with `changes`, force-set as `branch` (which must start
        with optiagent/, else ForbiddenRef); returns the commit's sha."""
        ...

    def find_pull(self, head_branch: str) -> int | None:
        """The open pull request from `head_branch` of this repository, if any."""
        ...

    def open_pull(self, head_branch: str, base_branch: str, title: str, body: str) -> int: ...

    def update_pull(self, number: int, title: str, body: str) -> None: ...

    def close_pull(self, number: int) -> None: ...


def field_of(data: object, *path: str | int) -> Any:
    """data[path[0]][path[1]]..., or None where a step is missing or of the wrong kind: GitHub's
    payloads are read tolerantly (strict models reject real ones)."""
    for key in path:
        if isinstance(key, int) and isinstance(data, list) and -len(data) <= key < len(data):
            data = data[key]
        elif isinstance(key, str) and isinstance(data, Mapping):
            data = data.get(key)
        else:
            return None
    return data


def _str(data: object, *path: str | int) -> str:
    value = field_of(data, *path)
    return value if isinstance(value, str) else ""


def is_bot(user: object) -> bool:
    return _str(user, "type") == "Bot" or _str(user, "login").endswith("[bot]")


def require_writable(branch: str) -> None:
    if not branch.startswith(WRITABLE_BRANCH_PREFIX) or ".." in branch:
        raise ForbiddenRef(f"optiagent writes only branches under {WRITABLE_BRANCH_PREFIX}, not {branch!r}")
