"""`POST /github/webhook`: GitHub's deliveries, verified, recorded once, answered 202 at once; the
work is done by a worker task (tasks carry only the delivery's id).

No bearer token: the HMAC-SHA256 signature of the raw body under the App's webhook secret is the
authentication (constant-time compare; 401 otherwise). A delivery id seen before does nothing. A
recorded delivery whose task is lost (or could not be sent) is sent again by the workers' sweep.
"""

from __future__ import annotations

import json
from typing import Annotated

import structlog
from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from optiagent.github_app.signature import signature_valid
from optiagent.github_app.wiring import WebhookContext, webhook_context
from optiagent.settings import load_settings

log = structlog.get_logger("optiagent.github")
HANDLED_EVENTS = frozenset(
    {"pull_request", "issue_comment", "check_run", "check_suite", "installation", "installation_repositories"}
)
WEBHOOK_PATH = "/github/webhook"
router = APIRouter(tags=["github"])


def _context(request: Request) -> WebhookContext | None:
    """Set by a test or built once from settings on the first delivery."""
    state = request.app.state
    if not hasattr(state, "github"):
        state.github = webhook_context(load_settings())
    context: WebhookContext | None = state.github
    return context


def _answer(status: int, message: str) -> JSONResponse:
    return JSONResponse({"status": message}, status_code=status)


async def _body(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, seen = [], 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(WEBHOOK_PATH, status_code=202, summary="GitHub App webhook (signed by GitHub, no token)")
async def github_webhook(
    request: Request,
    x_github_event: Annotated[str, Header()] = "",
    x_github_delivery: Annotated[str, Header()] = "",
    x_hub_signature_256: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    context = _context(request)
    if context is None:
        return _answer(404, "the GitHub App is not configured")
    body = await _body(request, context.max_body_bytes)
    if body is None:
        return _answer(413, f"payloads are at most {context.max_body_bytes // 2**20} MB")
    if not signature_valid(context.secret, body, x_hub_signature_256):
        return _answer(401, "bad or missing X-Hub-Signature-256")
    if not x_github_delivery or len(x_github_delivery) > 100 or not x_github_event:
        return _answer(400, "X-GitHub-Event and X-GitHub-Delivery are required")
    if x_github_event == "ping" or x_github_event not in HANDLED_EVENTS:
        return _answer(202, "ignored")
    try:
        payload = json.loads(body)
    except ValueError:
        return _answer(400, "the body is not JSON")
    if not isinstance(payload, dict):
        return _answer(400, "the body is not a JSON object")
    fresh = await run_in_threadpool(context.store.record_delivery, x_github_delivery, x_github_event, payload)
    if not fresh:
        return _answer(202, "duplicate")
    try:
        await run_in_threadpool(context.tasks.handle, x_github_delivery)
    except Exception as error:  # the broker is down: the delivery is recorded, the workers' sweep sends it
        log.warning("github_enqueue_failed", delivery=x_github_delivery, error=str(error)[:200])
        return _answer(202, "recorded")
    return _answer(202, "queued")
