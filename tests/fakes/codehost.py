"""An in-memory CodeHost: one repository's pull requests, files and what the App wrote to them.

It refuses what GitHub refuses (review comments outside the diff: Unprocessable; branches outside
optiagent/: ForbiddenRef) so tests of the App's decisions cannot pass on requests GitHub would reject.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from optiagent.github_app.hunks import diff_lines
from optiagent.ports.codehost import (
    ChangedFile,
    CheckUpdate,
    Comment,
    FileChange,
    NotFound,
    PullRequest,
    Repo,
    ReviewComment,
    Unprocessable,
    require_writable,
)


@dataclass
class FakeCodeHost:
    repo: Repo
    pulls: dict[int, PullRequest] = field(default_factory=dict)
    files: dict[int, list[ChangedFile]] = field(default_factory=dict)
    trees: dict[str, dict[str, str]] = field(default_factory=dict)  # sha -> path -> text
    permissions: dict[str, str] = field(default_factory=dict)
    check_runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    issue_comments: dict[int, list[Comment]] = field(default_factory=dict)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    reactions: list[tuple[int, str]] = field(default_factory=list)
    branches: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> tree after the commit
    opened: dict[int, dict[str, Any]] = field(default_factory=dict)  # follow-up pull requests
    writes: list[str] = field(default_factory=list)
    refuse_reviews: bool = False  # GitHub answers 422 anyway (e.g. a line outdated by a force-push)
    _ids: int = 100

    def _id(self) -> int:
        self._ids += 1
        return self._ids

    # -- reads --
    def pull_request(self, number: int) -> PullRequest:
        if number not in self.pulls:
            raise NotFound(f"no pull request {number}")
        return self.pulls[number]

    def pull_files(self, number: int) -> list[ChangedFile]:
        return list(self.files.get(number, []))

    def file_text(self, path: str, ref: str) -> str | None:
        return self.trees.get(ref, {}).get(path)

    def tarball(self, sha: str) -> bytes:
        """The same bytes for the same tree (gzip's header time is fixed), as GitHub's tarball of a SHA."""
        buffer = io.BytesIO()
        with (
            gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as zipped,
            tarfile.open(fileobj=zipped, mode="w") as archive,
        ):
            for path, text in self.trees.get(sha, {}).items():
                data = text.encode()
                info = tarfile.TarInfo(f"{self.repo.owner}-{self.repo.name}-{sha[:7]}/{path}")
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        return buffer.getvalue()

    def permission(self, user: str) -> str:
        return self.permissions.get(user, "read")

    def comments(self, number: int) -> list[Comment]:
        return list(self.issue_comments.get(number, []))

    def find_pull(self, head_branch: str) -> int | None:
        return next(
            (n for n, p in self.opened.items() if p["head"] == head_branch and p["state"] == "open"), None
        )

    # -- writes --
    def react(self, comment_id: int, content: str) -> None:
        self.writes.append("react")
        self.reactions.append((comment_id, content))

    def comment(self, number: int, body: str) -> int:
        self.writes.append("comment")
        new = Comment(self._id(), body, "optiagent[bot]")
        self.issue_comments.setdefault(number, []).append(new)
        return new.id

    def edit_comment(self, comment_id: int, body: str) -> None:
        self.writes.append("edit_comment")
        for number, comments in self.issue_comments.items():
            for i, c in enumerate(comments):
                if c.id == comment_id:
                    self.issue_comments[number][i] = replace(c, body=body)
                    return
        raise NotFound(f"no comment {comment_id}")

    def create_check_run(self, head_sha: str, name: str, external_id: str, update: CheckUpdate) -> int:
        self.writes.append("create_check_run")
        check_id = self._id()
        self.check_runs[check_id] = {"head_sha": head_sha, "name": name, "updates": [update]}
        return check_id

    def update_check_run(self, check_run_id: int, update: CheckUpdate) -> None:
        self.writes.append("update_check_run")
        self.check_runs[check_run_id]["updates"].append(update)

    def create_review(self, number: int, commit_id: str, body: str, comments: Sequence[ReviewComment]) -> int:
        self.writes.append("create_review")
        pr = self.pulls[number]
        lines = {f.path: diff_lines(f.patch) for f in self.files.get(number, [])}
        for c in comments:
            wanted = range(c.start_line or c.line, c.line + 1)
            if c.path not in lines or not all(n in lines[c.path].in_hunks for n in wanted):
                raise Unprocessable("pull_request_review_thread.line must be part of the diff")
        if commit_id != pr.head_sha or self.refuse_reviews:
            raise Unprocessable("commit_id is not the head")
        self.reviews.append({"pr": number, "commit_id": commit_id, "body": body, "comments": list(comments)})
        return self._id()

    def push_branch(self, branch: str, parent_sha: str, message: str, changes: Sequence[FileChange]) -> str:
        require_writable(branch)
        self.writes.append("push_branch")
        tree = dict(self.trees[parent_sha]) | {c.path: c.content for c in changes}
        self.branches[branch] = tree
        return f"commit-{len(self.branches)}"

    def open_pull(self, head_branch: str, base_branch: str, title: str, body: str) -> int:
        require_writable(head_branch)
        self.writes.append("open_pull")
        number = 1000 + len(self.opened)
        self.opened[number] = {
            "head": head_branch,
            "base": base_branch,
            "title": title,
            "body": body,
            "state": "open",
        }
        return number

    def update_pull(self, number: int, title: str, body: str) -> None:
        self.writes.append("update_pull")
        self.opened[number] |= {"title": title, "body": body}

    def close_pull(self, number: int) -> None:
        self.writes.append("close_pull")
        self.opened[number]["state"] = "closed"

    # -- for tests --
    def final(self, check_id: int) -> CheckUpdate:
        updates: list[CheckUpdate] = self.check_runs[check_id]["updates"]
        return updates[-1]
