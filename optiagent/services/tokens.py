"""API tokens: random, shown once, stored only as a SHA-256 digest (they are 256-bit secrets,
so a fast hash is enough: nothing to brute-force). Each belongs to a tenant and may expire or be
revoked; a token that is either no longer authenticates."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from optiagent.domain.errors import InputError
from optiagent.domain.jobs import DEFAULT_TENANT, ApiToken
from optiagent.ports.jobs import JobStore

PREFIX = "oat_"
TENANT_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]{0,62}")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_duration(text: str) -> timedelta:
    """`90s`, `15m`, `12h`, `30d`, `2w` (a bare number is seconds)."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", text.lower())
    if found is None or float(found.group(1)) <= 0:
        raise InputError(f"--expires-in {text!r}: give a positive duration such as 3600s, 12h, 30d or 2w")
    return timedelta(seconds=float(found.group(1)) * _UNITS[found.group(2) or "s"])


def create_token(
    jobs: JobStore, name: str, tenant: str = DEFAULT_TENANT, expires_in: timedelta | None = None
) -> tuple[ApiToken, str]:
    """A new token named `name` of `tenant`; returns it with the plaintext, which is not kept anywhere."""
    if not name.strip():
        raise InputError("a token needs a name, e.g. `optiagent tokens create ci --tenant acme`")
    if not TENANT_PATTERN.fullmatch(tenant):
        raise InputError(
            f"tenant {tenant!r}: use 1-63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    plaintext = PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    token = ApiToken(
        id=uuid.uuid4().hex,
        name=name.strip(),
        created_at=now,
        tenant=tenant,
        expires_at=None if expires_in is None else now + expires_in,
    )
    jobs.create_token(token, hash_token(plaintext))
    return token, plaintext


def verify_token(jobs: JobStore, plaintext: str) -> ApiToken | None:
    """The token if it exists, is not revoked and has not expired."""
    if not plaintext.startswith(PREFIX):
        return None
    token = jobs.token_by_hash(hash_token(plaintext))
    return token if token is not None and token.valid_at(datetime.now(UTC)) else None


def revoke_token(jobs: JobStore, token_id: str) -> ApiToken:
    token = jobs.revoke_token(token_id, datetime.now(UTC))
    if token is None:
        raise InputError(f"no token with id {token_id!r}; `optiagent tokens list` shows them")
    return token
