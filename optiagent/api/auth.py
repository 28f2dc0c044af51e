"""Bearer-token authentication: every route but /v1/health depends on `require_token`."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from optiagent.api.problems import Problem
from optiagent.domain.jobs import ApiToken
from optiagent.services.tokens import verify_token

bearer = HTTPBearer(auto_error=False, description="A token from `optiagent tokens create NAME`.")
CHALLENGE = {"WWW-Authenticate": "Bearer"}
CACHE_S = 30.0  # a verified token is trusted this long without asking the database again
CACHE_MAX = 1024


async def require_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> ApiToken:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "missing bearer token: send `Authorization: Bearer <token>`", CHALLENGE)
    cache: dict[str, tuple[float, ApiToken]] = request.app.state.token_cache
    now = time.monotonic()
    cached = cache.get(credentials.credentials)
    if cached is not None and now - cached[0] < CACHE_S:
        return cached[1]
    token = await run_in_threadpool(verify_token, request.app.state.jobs, credentials.credentials)
    if token is None:
        raise Problem(401, "invalid bearer token", CHALLENGE)
    if len(cache) >= CACHE_MAX:
        cache.clear()
    cache[credentials.credentials] = (now, token)
    return token


Authenticated = Annotated[ApiToken, Depends(require_token)]
