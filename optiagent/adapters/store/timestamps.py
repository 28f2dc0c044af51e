"""The store keeps every instant in UTC and refuses naive datetimes."""

from __future__ import annotations

from datetime import UTC, datetime


def to_utc(value: datetime, what: str = "datetime") -> datetime:
    """Return `value` in UTC; a naive datetime is a bug in the caller, so it raises ValueError."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)
