"""Bearer-token authentication and per-token rate limits: every route but /v1/health depends on
`require_token`, which answers 401 for a missing, unknown, expired or revoked token and 429 (with
Retry-After) for a token over its requests per minute."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from optiagent.api.limits import Limits
from optiagent.api.problems import Problem
from optiagent.domain.jobs import ApiToken
from optiagent.services.tokens import verify_token

bearer = HTTPBearer(auto_error=False, description="A token from `optiagent tokens create NAME`.")
CHALLENGE = {"WWW-Authenticate": "Bearer"}
# A verified token is trusted this long without asking the database again: a revocation takes
# effect within it (an expiry is checked on every request).
CACHE_S = 5.0
CACHE_MAX = 1024


async def require_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> ApiToken:
    token = await _authenticate(request, credentials)
    limits: Limits = request.app.state.limits
    wait = await limits.hit(token.id)
    if wait is not None:
        per_minute = limits.settings.requests_per_minute
        detail = f"this token made more than {per_minute} requests this minute; retry after {wait:.0f} s"
        raise Problem(429, detail, {"Retry-After": str(math.ceil(wait))})
    return token


async def _authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> ApiToken:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "missing bearer token: send `Authorization: Bearer <token>`", CHALLENGE)
    cache: dict[str, tuple[float, ApiToken]] = request.app.state.token_cache
    now = time.monotonic()
    cached = cache.get(credentials.credentials)
    if cached is not None and now - cached[0] < CACHE_S and cached[1].valid_at(datetime.now(UTC)):
        return cached[1]
    token = await run_in_threadpool(verify_token, request.app.state.jobs, credentials.credentials)
    if token is None:
        cache.pop(credentials.credentials, None)
        raise Problem(401, "invalid, expired or revoked bearer token", CHALLENGE)
    if len(cache) >= CACHE_MAX:
        cache.clear()
    cache[credentials.credentials] = (now, token)
    return token


Authenticated = Annotated[ApiToken, Depends(require_token)]
