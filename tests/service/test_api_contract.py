"""The API's typed contract over HTTP (uvicorn, real Postgres and Redis, no worker): every job route
documents its response schema and its problem responses in /openapi.json, and a job's event
stream carries `retry:` and event ids a client resumes from with Last-Event-ID."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.service.stack import EXAMPLES, Client, tar_gz

PROBLEM = "application/problem+json"
ERROR_STATUSES = {"401", "404", "409", "422", "429"}


def _ref_name(schema: dict[str, Any]) -> str:
    return str(schema.get("$ref", "")).rsplit("/", 1)[-1]


def _success_schema(response: dict[str, Any]) -> str:
    """The schema a 2xx response names: a model, a list of one, an event's data, or a page."""
    content = response["content"]
    if "application/json" in content:
        schema = content["application/json"]["schema"]
        return _ref_name(schema.get("items", schema)) if schema.get("type") == "array" else _ref_name(schema)
    if "text/event-stream" in content:
        return _ref_name(content["text/event-stream"]["itemSchema"]["properties"]["data"]["contentSchema"])
    return "text/html" if content["text/html"]["schema"]["type"] == "string" else ""


def test_every_job_route_documents_its_response_and_problem_schemas(api: str) -> None:
    document = httpx.get(f"{api}/openapi.json").json()
    schemas = document["components"]["schemas"]
    expected = {
        ("post", "/v1/jobs"): "JobCreated",
        ("get", "/v1/jobs"): "JobView",
        ("get", "/v1/jobs/{job_id}"): "JobView",
        ("get", "/v1/jobs/{job_id}/report"): "RunReport",
        ("get", "/v1/jobs/{job_id}/report.html"): "text/html",
        ("get", "/v1/jobs/{job_id}/events"): "JobView",
        ("post", "/v1/jobs/{job_id}/cancel"): "JobView",
        ("get", "/v1/edits"): "EditView",
    }
    job_routes = {
        (method, path)
        for path, item in document["paths"].items()
        if path.startswith("/v1/jobs")
        for method in item
    }
    assert job_routes <= set(expected), job_routes - set(expected)
    for (method, path), model in expected.items():
        responses = document["paths"][path][method]["responses"]
        success = next(code for code in responses if code.startswith("2"))
        assert _success_schema(responses[success]) == model, (method, path)
        assert model == "text/html" or model in schemas
        errors = ERROR_STATUSES & set(responses)
        assert "401" in errors, (method, path)
        for code in errors:
            assert list(responses[code]["content"]) == [PROBLEM], (method, path, code)
            assert _ref_name(responses[code]["content"][PROBLEM]["schema"]) == "ProblemDetails"
    assert {"id", "status", "progress", "created_at"} <= set(schemas["JobView"]["required"])
    assert set(schemas["ProblemDetails"]["required"]) == {"title", "status", "detail"}


def test_route_answers_match_their_documented_models(client: Client) -> None:
    """What the routes send validates against what they document (the same field names)."""
    created = client.submit_archive(tar_gz(EXAMPLES / "primes"), functions="primes_below")
    assert set(created.json()) == {"id", "status"}
    job_id = created.json()["id"]
    view = client.job(job_id)
    assert set(view) == {
        "id",
        "status",
        "repo",
        "progress",
        "created_at",
        "started_at",
        "finished_at",
        "error",
    }
    listed = client.http.get("/v1/jobs").json()
    assert view in listed
    cancelled = client.http.post(f"/v1/jobs/{job_id}/cancel").json()
    assert set(cancelled) == set(view) and cancelled["status"] == "cancelled"


# -- server-sent events ----------------------------------------------------------------------------


def _events(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """Events as the fields their lines set (comments dropped), one per blank line."""
    fields: dict[str, str] = {}
    for line in lines:
        if not line:
            if fields:
                yield fields
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


def _stream(
    client: Client, job_id: str, last_event_id: str | None = None, count: int = 0
) -> list[dict[str, str]]:
    """The stream's events: the first `count` (then the connection is closed), or all of them."""
    headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
    seen: list[dict[str, str]] = []
    with client.http.stream("GET", f"/v1/jobs/{job_id}/events", headers=headers, timeout=30) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for event in _events(response.iter_lines()):
            seen.append(event)
            if count and len(seen) == count:
                break
    return seen


@pytest.fixture
def queued_job(client: Client) -> str:
    """A job no worker takes: it stays queued until the test cancels it."""
    response = client.submit_archive(tar_gz(EXAMPLES / "primes"), functions="primes_below")
    assert response.status_code == 201
    job_id: str = response.json()["id"]
    return job_id


def test_events_carry_retry_and_ids_and_resume_after_the_last_event_id(
    client: Client, queued_job: str
) -> None:
    """A stream opens with `retry:`; each state is an event with an id; a client reconnecting with
    the last id it saw gets only newer states, then `end`; after the `end` id the answer is 204."""
    first = _stream(client, queued_job, count=2)
    assert "retry" in first[0] and int(first[0]["retry"]) > 0
    progress = first[1]
    assert progress["event"] == "progress" and '"status":"queued"' in progress["data"].replace(" ", "")
    queued_id = progress["id"]

    assert client.http.post(f"/v1/jobs/{queued_job}/cancel").status_code == 200
    resumed = _stream(client, queued_job, last_event_id=queued_id)
    names = [event.get("event") for event in resumed if "event" in event]
    assert names == ["progress", "end"], resumed
    newer, end = (event for event in resumed if "event" in event)
    assert newer["id"] != queued_id and '"cancelled"' in newer["data"]
    assert end["data"] == newer["data"] and end["id"] != newer["id"]

    again = _stream(client, queued_job, last_event_id=newer["id"])  # it missed only the end
    assert [event.get("event") for event in again if "event" in event] == ["end"]
    over = client.http.get(f"/v1/jobs/{queued_job}/events", headers={"Last-Event-ID": end["id"]})
    assert over.status_code == 204 and over.content == b""
    fresh = _stream(client, queued_job)  # a new client gets the state it has not seen, then the end
    assert [event.get("event") for event in fresh if "event" in event] == ["progress", "end"]


def test_an_unknown_last_event_id_gets_the_whole_stream(client: Client, queued_job: str) -> None:
    client.http.post(f"/v1/jobs/{queued_job}/cancel")
    for last in ("not-an-id", "-3", "99999999999999999999"):
        events = _stream(client, queued_job, last_event_id=last)
        assert [event.get("event") for event in events if "event" in event] == ["progress", "end"], last
