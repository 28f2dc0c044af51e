"""Workload for humanize: the numbers, sizes, times and lists a dashboard or CLI renders for people.

Seeded, deterministic (times are relative to a fixed `when`); prints a sha256 digest of every string.
Runs beside the package as bench.py.
"""

# mypy: ignore-errors
# (checked in the library's own venv, not this repo's: the library is not installed here)
from __future__ import annotations

import datetime as dt
import hashlib
import random

import humanize

rng = random.Random(7)
now = dt.datetime(2024, 5, 17, 12, 0, 0)
digest = hashlib.sha256()
for _ in range(6000):
    n = rng.randrange(-(10**9), 10**12)
    seconds = rng.randrange(0, 10**8)
    delta = dt.timedelta(seconds=seconds, microseconds=rng.randrange(10**6))
    size = rng.randrange(0, 10**13)
    fraction = rng.random() * 100
    outputs = [
        humanize.intcomma(n),
        humanize.intcomma(fraction, 2),
        humanize.intword(abs(n)),
        humanize.naturalsize(size),
        humanize.naturalsize(size, binary=True),
        humanize.naturalsize(size, gnu=True),
        humanize.ordinal(rng.randrange(1000)),
        humanize.apnumber(rng.randrange(12)),
        humanize.fractional(fraction),
        humanize.scientific(fraction * 1e6, 3),
        humanize.naturaldelta(delta),
        humanize.naturaltime(now - delta, when=now),
        humanize.naturalday(now.date() - dt.timedelta(days=rng.randrange(-3, 3))),
        humanize.metric(fraction * 10 ** rng.randrange(-6, 9), "V"),
    ]
    if rng.random() < 0.3:
        outputs.append(humanize.precisedelta(delta, minimum_unit="seconds"))
    if rng.random() < 0.2:
        outputs.append(humanize.natural_list([f"item{i}" for i in range(rng.randrange(1, 5))]))
    digest.update("|".join(outputs).encode())
print(digest.hexdigest())
