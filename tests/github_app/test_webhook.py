"""`POST /github/webhook`: signature, body bound, deduplication and the 202 that queues the work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from optiagent.adapters.store.github_app import SqlAppStore
from optiagent.github_app.signature import sign
from optiagent.github_app.webhook import router
from optiagent.github_app.wiring import WebhookContext
from tests.github_app.payloads import pull_request_event

SECRET = "It's a Secret to Everybody"


@dataclass
class Queued:
    deliveries: list[str] = field(default_factory=list)

    def handle(self, delivery_id: str) -> None:
        self.deliveries.append(delivery_id)

    def watch(self, run_id: str, delay_s: float) -> None: ...


@pytest.fixture
def hook(tmp_path: Path) -> Iterator[tuple[TestClient, Queued, SqlAppStore]]:
    store, queued = SqlAppStore(f"sqlite:///{tmp_path / 'hooks.db'}"), Queued()
    app = FastAPI()
    app.include_router(router)
    app.state.github = WebhookContext(SECRET, store, queued, max_body_bytes=64 * 1024)
    with TestClient(app) as client:
        yield client, queued, store
    store.close()


def post(
    client: TestClient,
    body: bytes,
    delivery: str = "d-1",
    signature: str | None = None,
    event: str = "pull_request",
) -> Any:
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": signature if signature is not None else sign(SECRET, body),
        "Content-Type": "application/json",
    }
    return client.post("/github/webhook", content=body, headers=headers)


def test_githubs_documented_signature_example() -> None:
    """sign() reproduces the example of GitHub's "Validating webhook deliveries" page."""
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert sign(SECRET, b"Hello, World!") == expected


def test_a_signed_delivery_is_recorded_and_queued_once(hook: tuple[TestClient, Queued, SqlAppStore]) -> None:
    """202 and one task; the same delivery id again is a duplicate that queues nothing."""
    client, queued, store = hook
    body = json.dumps(pull_request_event()).encode()
    first, again = post(client, body), post(client, body)
    assert (first.status_code, first.json()["status"]) == (202, "queued")
    assert (again.status_code, again.json()["status"]) == (202, "duplicate")
    assert queued.deliveries == ["d-1"]
    found = store.delivery("d-1")
    assert found is not None and found[0] == "pull_request" and found[1]["number"] == 7


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "sha1=abc", None])
def test_a_bad_signature_gets_401(
    hook: tuple[TestClient, Queued, SqlAppStore], signature: str | None
) -> None:
    """Missing, wrong or other-algorithm signatures are refused and nothing is recorded."""
    client, queued, store = hook
    body = json.dumps(pull_request_event()).encode()
    headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d-2"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    assert client.post("/github/webhook", content=body, headers=headers).status_code == 401
    assert post(client, body + b" ", signature=sign(SECRET, body)).status_code == 401  # the body changed
    assert queued.deliveries == [] and store.delivery("d-2") is None


def test_an_oversized_body_is_refused_before_it_is_verified(
    hook: tuple[TestClient, Queued, SqlAppStore],
) -> None:
    """A body over the bound gets 413, even when signed."""
    client, queued, _ = hook
    body = b'{"x": "' + b"a" * 70_000 + b'"}'
    assert post(client, body).status_code == 413 and not queued.deliveries


def test_events_the_app_does_not_handle_are_acknowledged_and_dropped(
    hook: tuple[TestClient, Queued, SqlAppStore],
) -> None:
    """ping and unhandled events get 202 without a task; a signed body that is not JSON gets 400."""
    client, queued, _ = hook
    assert post(client, b"{}", event="ping").json()["status"] == "ignored"
    assert post(client, b"{}", event="star").json()["status"] == "ignored"
    assert post(client, b"not json", delivery="d-9").status_code == 400
    assert not queued.deliveries


def test_a_delivery_the_broker_refused_stays_recorded_for_the_sweep(
    hook: tuple[TestClient, Queued, SqlAppStore],
) -> None:
    """The queue is down: 202 "recorded" and the delivery kept (the workers' sweep sends it); GitHub's
    redelivery is then a duplicate, not a second run."""
    client, queued, store = hook

    def refuse(delivery_id: str) -> None:
        raise ConnectionError("redis is down")

    queued.handle = refuse  # type: ignore[method-assign]
    body = json.dumps(pull_request_event()).encode()
    answer = post(client, body)
    assert (answer.status_code, answer.json()["status"]) == (202, "recorded")
    assert store.delivery("d-1") is not None
    assert post(client, body).json()["status"] == "duplicate"
    stalled = store.requeue_deliveries(datetime.now(UTC) + timedelta(seconds=1), max_failures=5)
    assert stalled == ["d-1"]
