"""Normalizes record fields identically in every store: instants in UTC, JSON fields as plain JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def to_utc(value: datetime, what: str = "datetime") -> datetime:
    """Return `value` in UTC; a naive datetime is a bug in the caller, so it raises ValueError."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def json_copy(value: Mapping[str, object]) -> dict[str, Any]:
    """A plain-JSON copy (tuples become lists); non-JSON values fail here in every store alike."""
    copied: dict[str, Any] = json.loads(json.dumps(dict(value)))
    return copied
