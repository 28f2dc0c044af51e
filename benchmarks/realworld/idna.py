"""Workload for idna: normalise and encode internationalised host names, then decode them back.

What an HTTP client does for every URL with a non-ASCII host (UTS 46 mapping, IDNA 2008 checks).
Seeded, deterministic; prints a sha256 digest of every result. Runs beside the package as bench.py.
"""

# mypy: ignore-errors
# (checked in the library's own venv, not this repo's: the library is not installed here)
from __future__ import annotations

import hashlib
import random

import idna

rng = random.Random(31)
ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyz",
    "äöüßéèêàçñ",
    "абвгдежзиклмнопрстуфхцчшщыэюя",
    "αβγδεζηθικλμνξοπρστυφχψω",
    "日本語中文漢字東京大阪",
    "한국어서울부산",
    "ÄÖÜABCDEFG",
]
TLDS = ["com", "org", "de", "рф", "中国", "net", "ελ"]


def label() -> str:
    alphabet = rng.choice(ALPHABETS)
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(2, 14)))


digest = hashlib.sha256()
for _ in range(3000):
    host = ".".join([*(label() for _ in range(rng.randrange(1, 4))), rng.choice(TLDS)])
    try:
        encoded = idna.encode(host, uts46=True)
        decoded = idna.decode(encoded)
        outcome = f"{encoded.decode()}|{decoded}"
    except idna.IDNAError as error:
        outcome = f"error:{type(error).__name__}"
    digest.update(outcome.encode())
print(digest.hexdigest())
