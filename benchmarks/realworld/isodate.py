"""Workload for isodate: parse and format ISO 8601 timestamps, dates and durations, as an API client does.

Seeded, deterministic; prints a sha256 digest of every result. Runs beside the package as bench.py.
"""

# mypy: ignore-errors
# (checked in the library's own venv, not this repo's: the library is not installed here)
from __future__ import annotations

import hashlib
import random

import isodate

rng = random.Random(2024)
digest = hashlib.sha256()
for _ in range(5000):
    y, mo, d = rng.randrange(1970, 2100), rng.randrange(1, 13), rng.randrange(1, 29)
    h, mi, s = rng.randrange(24), rng.randrange(60), rng.randrange(60)
    tz = rng.choice(["Z", "+01:00", "-05:30", "+0900", ""])
    frac = rng.choice(["", f".{rng.randrange(10**6):06d}"])
    stamp = rng.choice(
        [
            f"{y}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{frac}{tz}",
            f"{y}{mo:02d}{d:02d}T{h:02d}{mi:02d}{s:02d}{tz}",
        ]
    )
    when = isodate.parse_datetime(stamp)
    duration_text = rng.choice(
        [
            f"P{rng.randrange(5)}Y{rng.randrange(12)}M{rng.randrange(30)}DT{rng.randrange(24)}H{rng.randrange(60)}M",
            f"PT{rng.randrange(100)}H{rng.randrange(60)}M{rng.randrange(60)}.{rng.randrange(1000)}S",
            f"P{rng.randrange(1, 20)}W",
            f"P{rng.randrange(400)}D",
        ]
    )
    duration = isodate.parse_duration(duration_text)
    day = isodate.parse_date(f"{y}-W{rng.randrange(1, 53):02d}-{rng.randrange(1, 8)}")
    clock = isodate.parse_time(f"{h:02d}:{mi:02d}:{s:02d}{tz}")
    try:
        later = when + duration
    except (OverflowError, ValueError):
        later = when
    outputs = [
        isodate.datetime_isoformat(when),
        isodate.datetime_isoformat(later),
        isodate.duration_isoformat(duration),
        isodate.date_isoformat(day),
        isodate.date_isoformat(day, isodate.DATE_EXT_WEEK_COMPLETE),
        isodate.time_isoformat(clock),
        isodate.strftime(when, "%Y-%m-%dT%H:%M:%S%Z"),
    ]
    digest.update("|".join(outputs).encode())
print(digest.hexdigest())
