"""The CodeHost on GitHub's REST API through githubkit: the App's JWT buys an installation token
scoped to one repository, which githubkit keeps in this process's memory only (never in a job, the
database or a log line).

Errors become the port's: a rate limit (403/429 with retry-after or an exhausted x-ratelimit-reset)
and 5xx/timeouts are RetryLater (the task is rescheduled, the worker never sleeps: githubkit's own
retrying is off), 422 is Unprocessable, 404 NotFound. Lists follow `Link: rel="next"`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx
from githubkit import AppInstallationAuthStrategy, GitHub
from githubkit.exception import RateLimitExceeded, RequestError, RequestFailed, RequestTimeout

from optiagent.adapters.codehost.limits import WriteLimit
from optiagent.ports.codehost import (
    ChangedFile,
    CheckUpdate,
    CodeHostError,
    Comment,
    FileChange,
    NotFound,
    PullRequest,
    Repo,
    RetryLater,
    ReviewComment,
    Unprocessable,
    require_writable,
)

SERVER_ERROR_RETRY_S = 5.0  # a 5xx from GitHub is usually gone within seconds
NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')
PER_PAGE = 100
MAX_PAGES = 30  # GitHub lists at most 3,000 files of a pull request
WRITE_PERMISSIONS = ("admin", "maintain", "write")
TIMEOUT_S = 30.0


class GitHubApps:
    """Makes a CodeHost per repository from the App's id and private key."""

    def __init__(self, app_id: str, private_key: str, api_url: str, writes: WriteLimit) -> None:
        self._app_id, self._private_key = app_id, private_key
        self.api_url, self.writes = api_url.rstrip("/") + "/", writes

    def for_repo(self, repo: Repo) -> GitHubCodeHost:
        auth = AppInstallationAuthStrategy(
            self._app_id, self._private_key, repo.installation_id, repositories=[repo.name]
        )
        client = GitHub(
            auth,
            base_url=self.api_url,
            auto_retry=False,
            http_cache=False,
            timeout=TIMEOUT_S,
            user_agent="optiagent-github-app",
        )
        return GitHubCodeHost(client, repo, self.writes)


class GitHubCodeHost:
    def __init__(self, client: GitHub[Any], repo: Repo, writes: WriteLimit) -> None:
        self.client, self.repo, self.writes = client, repo, writes
        self.base = f"/repos/{repo.owner}/{repo.name}"

    # -- transport --------------------------------------------------------------------------------

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        if method != "GET":
            self.writes.acquire(self.repo.installation_id)
        try:
            return self.client.request(method, url, **kwargs)
        except RateLimitExceeded as error:
            raise RetryLater(
                max(error.retry_after.total_seconds(), 1.0), f"rate limited ({error.response.status_code})"
            ) from None
        except RequestFailed as error:
            status = error.response.status_code
            message = _message(error.response.raw_response)
            if status >= 500:
                raise RetryLater(SERVER_ERROR_RETRY_S, f"GitHub answered {status}") from None
            if status == 422:
                raise Unprocessable(message) from None
            if status == 404:
                raise NotFound(f"{method} {url}: {message}") from None
            raise CodeHostError(f"{method} {url}: {status} {message}") from None
        except RequestTimeout:
            raise RetryLater(SERVER_ERROR_RETRY_S, "GitHub timed out") from None
        except RequestError as error:
            raise RetryLater(
                SERVER_ERROR_RETRY_S, f"GitHub unreachable: {type(error.exc).__name__}"
            ) from None

    def _json(self, method: str, url: str, **kwargs: Any) -> Any:
        return self._call(method, url, **kwargs).json()

    def _pages(self, url: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        next_url: str | None = url
        query: dict[str, Any] | None = {"per_page": PER_PAGE, **(params or {})}
        for _ in range(MAX_PAGES):
            if next_url is None:
                return
            response = self._call("GET", next_url, params=query)
            yield from response.json()
            match = NEXT_LINK.search(response.headers.get("link", ""))
            next_url, query = (match[1], None) if match else (None, None)

    # -- reads ------------------------------------------------------------------------------------

    def pull_request(self, number: int) -> PullRequest:
        found = PullRequest.from_api(self._json("GET", f"{self.base}/pulls/{number}"))
        if found is None:
            raise CodeHostError(f"pull request {number} has no head")
        return found

    def pull_files(self, number: int) -> list[ChangedFile]:
        return [
            ChangedFile(str(f.get("filename", "")), str(f.get("status", "")), f.get("patch"))
            for f in self._pages(f"{self.base}/pulls/{number}/files")
        ]

    def file_text(self, path: str, ref: str) -> str | None:
        try:
            data = self._json("GET", f"{self.base}/contents/{path}", params={"ref": ref})
        except NotFound:
            return None
        if not isinstance(data, dict) or data.get("encoding") != "base64":
            return None
        return base64.b64decode(str(data.get("content", ""))).decode("utf-8", errors="replace")

    def tarball(self, sha: str) -> bytes:
        content: bytes = self._call("GET", f"{self.base}/tarball/{sha}").content
        return content

    def permission(self, user: str) -> str:
        try:
            data = self._json("GET", f"{self.base}/collaborators/{user}/permission")
        except NotFound:
            return "none"
        role = str(data.get("role_name") or "")
        return role if role in WRITE_PERMISSIONS else str(data.get("permission") or "none")

    def comments(self, number: int) -> list[Comment]:
        return [
            Comment(int(c["id"]), str(c.get("body") or ""), str((c.get("user") or {}).get("login", "")))
            for c in self._pages(f"{self.base}/issues/{number}/comments")
        ]

    def find_pull(self, head_branch: str) -> int | None:
        params = {"head": f"{self.repo.owner}:{head_branch}", "state": "open"}
        for pull in self._pages(f"{self.base}/pulls", params):
            return int(pull["number"])
        return None

    # -- writes -----------------------------------------------------------------------------------

    def react(self, comment_id: int, content: str) -> None:
        self._call("POST", f"{self.base}/issues/comments/{comment_id}/reactions", json={"content": content})

    def comment(self, number: int, body: str) -> int:
        return int(self._json("POST", f"{self.base}/issues/{number}/comments", json={"body": body})["id"])

    def edit_comment(self, comment_id: int, body: str) -> None:
        self._call("PATCH", f"{self.base}/issues/comments/{comment_id}", json={"body": body})

    def create_check_run(self, head_sha: str, name: str, external_id: str, update: CheckUpdate) -> int:
        body = {"name": name, "head_sha": head_sha, "external_id": external_id, **_check_body(update)}
        return int(self._json("POST", f"{self.base}/check-runs", json=body)["id"])

    def update_check_run(self, check_run_id: int, update: CheckUpdate) -> None:
        self._call("PATCH", f"{self.base}/check-runs/{check_run_id}", json=_check_body(update))

    def create_review(self, number: int, commit_id: str, body: str, comments: Sequence[ReviewComment]) -> int:
        payload = {
            "commit_id": commit_id,
            "body": body,
            "event": "COMMENT",
            "comments": [_review_comment(c) for c in comments],
        }
        return int(self._json("POST", f"{self.base}/pulls/{number}/reviews", json=payload)["id"])

    def push_branch(self, branch: str, parent_sha: str, message: str, changes: Sequence[FileChange]) -> str:
        require_writable(branch)  # before any request: the user's branches are never written
        parent = self._json("GET", f"{self.base}/git/commits/{parent_sha}")
        entries = [{"path": c.path, "mode": "100644", "type": "blob", "content": c.content} for c in changes]
        tree = self._json(
            "POST", f"{self.base}/git/trees", json={"base_tree": parent["tree"]["sha"], "tree": entries}
        )
        commit = self._json(
            "POST",
            f"{self.base}/git/commits",
            json={"message": message, "tree": tree["sha"], "parents": [parent_sha]},
        )
        sha = str(commit["sha"])
        try:
            self._call("PATCH", f"{self.base}/git/refs/heads/{branch}", json={"sha": sha, "force": True})
        except (NotFound, Unprocessable):  # no such branch yet
            self._call("POST", f"{self.base}/git/refs", json={"ref": f"refs/heads/{branch}", "sha": sha})
        return sha

    def open_pull(self, head_branch: str, base_branch: str, title: str, body: str) -> int:
        require_writable(head_branch)
        payload = {"title": title, "head": head_branch, "base": base_branch, "body": body}
        return int(self._json("POST", f"{self.base}/pulls", json=payload)["number"])

    def update_pull(self, number: int, title: str, body: str) -> None:
        self._call("PATCH", f"{self.base}/pulls/{number}", json={"title": title, "body": body})

    def close_pull(self, number: int) -> None:
        self._call("PATCH", f"{self.base}/pulls/{number}", json={"state": "closed"})


def _check_body(update: CheckUpdate) -> dict[str, Any]:
    body: dict[str, Any] = {"status": update.status}
    if update.conclusion is not None:
        body["conclusion"] = update.conclusion
    if update.output is not None:
        output = update.output
        body["output"] = {
            "title": output.title,
            "summary": output.summary,
            **({"text": output.text} if output.text else {}),
            "annotations": [
                {
                    "path": a.path,
                    "start_line": a.start_line,
                    "end_line": a.end_line,
                    "annotation_level": a.level,
                    "message": a.message,
                    **({"title": a.title} if a.title else {}),
                }
                for a in output.annotations
            ],
        }
    if update.actions:
        body["actions"] = [
            {"label": a.label, "description": a.description, "identifier": a.identifier}
            for a in update.actions
        ]
    if update.details_url:
        body["details_url"] = update.details_url
    return body


def _review_comment(comment: ReviewComment) -> dict[str, Any]:
    data: dict[str, Any] = {"path": comment.path, "line": comment.line, "side": "RIGHT", "body": comment.body}
    if comment.start_line is not None and comment.start_line < comment.line:
        data |= {"start_line": comment.start_line, "start_side": "RIGHT"}
    return data


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200]
    return str(data.get("message", ""))[:300] if isinstance(data, dict) else ""
