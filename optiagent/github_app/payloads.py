"""Tolerant reading of webhook payloads: a missing or oddly typed field is a default, never an error
(strict models reject real payloads: GitHub adds fields and nulls old ones)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optiagent.ports.codehost import PullRequest, Repo, field_of, is_bot

__all__ = ["get", "is_bot", "number", "pull_request_of", "repo_of", "text"]


get = field_of


def text(data: object, *path: str | int) -> str:
    value = get(data, *path)
    return value if isinstance(value, str) else ""


def number(data: object, *path: str | int) -> int | None:
    value = get(data, *path)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def repo_of(payload: Mapping[str, Any]) -> Repo | None:
    installation = number(payload, "installation", "id")
    full_name = text(payload, "repository", "full_name")
    if installation is None or full_name.count("/") != 1:
        return None
    owner, name = full_name.split("/")
    return Repo(installation, owner, name)


def pull_request_of(data: object) -> PullRequest | None:
    return PullRequest.from_api(data)
