"""Webhook payloads in the shape of GitHub's documented examples (docs.github.com, "Webhook events
and payloads"), trimmed to what a delivery always carries plus the fields the App reads, with the
extra fields real deliveries have so tolerant reading is exercised."""

from __future__ import annotations

from typing import Any

from tests.github_app.scenario import BASE_SHA, HEAD_SHA, REPO

USER = {"login": "alice", "id": 1, "node_id": "MDQ6VXNlcjE=", "type": "User", "site_admin": False}
REPOSITORY = {
    "id": 1296269,
    "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
    "name": REPO.name,
    "full_name": REPO.full_name,
    "private": False,
    "owner": {"login": REPO.owner, "id": 2, "type": "Organization"},
    "default_branch": "main",
}
INSTALLATION = {"id": REPO.installation_id, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI="}


def pull_request_event(
    action: str = "opened", number: int = 7, head_sha: str = HEAD_SHA, **pr: Any
) -> dict[str, Any]:
    return {
        "action": action,
        "number": number,
        "pull_request": {
            "url": f"https://api.github.com/repos/{REPO.full_name}/pulls/{number}",
            "id": 1,
            "node_id": "MDExOlB1bGxSZXF1ZXN0MQ==",
            "number": number,
            "state": "open",
            "locked": False,
            "title": "Add primes_below",
            "user": USER,
            "body": None,
            "labels": [],
            "draft": False,
            "head": {
                "label": "acme:feature/primes",
                "ref": "feature/primes",
                "sha": head_sha,
                "user": USER,
                "repo": REPOSITORY,
            },
            "base": {"label": "acme:main", "ref": "main", "sha": BASE_SHA, "user": USER, "repo": REPOSITORY},
            "author_association": "MEMBER",
            "auto_merge": None,
            "merged": False,
            "mergeable": None,
            **pr,
        },
        "repository": REPOSITORY,
        "installation": INSTALLATION,
        "sender": USER,
    }


def issue_comment_event(
    body: str, user: str = "alice", comment_id: int = 5001, action: str = "created"
) -> dict[str, Any]:
    commenter = USER | {"login": user}
    return {
        "action": action,
        "issue": {
            "url": f"https://api.github.com/repos/{REPO.full_name}/issues/7",
            "number": 7,
            "title": "Add primes_below",
            "user": USER,
            "labels": [],
            "state": "open",
            "pull_request": {
                "url": f"https://api.github.com/repos/{REPO.full_name}/pulls/7",
                "merged_at": None,
            },
        },
        "comment": {
            "url": f"https://api.github.com/repos/{REPO.full_name}/issues/comments/{comment_id}",
            "id": comment_id,
            "node_id": "MDEyOklzc3VlQ29tbWVudDE=",
            "user": commenter,
            "body": body,
            "author_association": "MEMBER",
            "reactions": {"total_count": 0},
        },
        "repository": REPOSITORY,
        "installation": INSTALLATION,
        "sender": commenter,
    }


def installation_event(action: str = "created") -> dict[str, Any]:
    return {
        "action": action,
        "installation": INSTALLATION
        | {
            "account": {"login": REPO.owner, "id": 2, "type": "Organization"},
            "repository_selection": "selected",
        },
        "repositories": [{"id": 1296269, "name": REPO.name, "full_name": REPO.full_name, "private": False}],
        "requester": None,
        "sender": USER,
    }


def requested_action_event(user: str, identifier: str = "followup") -> dict[str, Any]:
    """check_run.requested_action: a person pressed one of the check run's buttons."""
    sender = USER | {"login": user}
    return {
        "action": "requested_action",
        "check_run": {
            "id": 4,
            "head_sha": HEAD_SHA,
            "external_id": "",
            "name": "optiagent",
            "status": "completed",
            "conclusion": "neutral",
            "pull_requests": [{"number": 7, "head": {"ref": "feature/primes", "sha": HEAD_SHA}}],
            "app": {"id": 1, "slug": "optiagent"},
        },
        "requested_action": {"identifier": identifier},
        "repository": REPOSITORY,
        "installation": INSTALLATION,
        "sender": sender,
    }
