"""API tokens: random, shown once, stored only as a SHA-256 digest (they are 256-bit secrets,
so a fast hash is enough: nothing to brute-force)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime

from optiagent.domain.errors import InputError
from optiagent.domain.jobs import ApiToken
from optiagent.ports.jobs import JobStore

PREFIX = "oat_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(jobs: JobStore, name: str) -> tuple[ApiToken, str]:
    """A new token named `name`; returns it with the plaintext, which is not kept anywhere."""
    if not name.strip():
        raise InputError("a token needs a name, e.g. `optiagent tokens create ci`")
    plaintext = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(id=uuid.uuid4().hex, name=name.strip(), created_at=datetime.now(UTC))
    jobs.create_token(token, hash_token(plaintext))
    return token, plaintext


def verify_token(jobs: JobStore, plaintext: str) -> ApiToken | None:
    return jobs.token_by_hash(hash_token(plaintext)) if plaintext.startswith(PREFIX) else None
