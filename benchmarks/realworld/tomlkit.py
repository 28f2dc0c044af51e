"""Workload for tomlkit: read, edit and write back project configuration files, as Poetry does.

Seeded, deterministic; prints a sha256 digest of the documents written and the values read. Runs beside
the package as bench.py.
"""

# mypy: ignore-errors
# (checked in the library's own venv, not this repo's: the library is not installed here)
from __future__ import annotations

import hashlib
import random

import tomlkit

rng = random.Random(42)


def document_text(index: int) -> str:
    lines = [
        "# generated project file",
        "[project]",
        f'name = "pkg-{index}"',
        f'version = "{rng.randrange(10)}.{rng.randrange(30)}.{rng.randrange(9)}"',
        f'authors = [{{ name = "Dev {index}", email = "dev{index}@example.org" }}]',
        "dependencies = ["
        + ", ".join(f'"dep{i}>={rng.randrange(5)}.0"' for i in range(rng.randrange(2, 9)))
        + "]",
        "",
    ]
    for t in range(rng.randrange(3, 8)):
        lines.append(f"[tool.section{t}]  # table {t}")
        for k in range(rng.randrange(3, 10)):
            value = rng.choice(
                [
                    str(rng.randrange(-999, 999)),
                    f"{rng.random():.5f}",
                    "true",
                    f'"string {rng.randrange(1000)}"',
                    "1979-05-27T07:32:00Z",
                    f"[{', '.join(str(rng.randrange(50)) for _ in range(rng.randrange(1, 6)))}]",
                    f'{{ x = {rng.randrange(9)}, y = "v" }}',
                ]
            )
            lines.append(f"key_{k} = {value}")
        lines.append("")
    lines.append("[[servers]]")
    lines.append('host = "alpha"')
    lines.append("[[servers]]")
    lines.append('host = "beta"')
    return "\n".join(lines) + "\n"


digest = hashlib.sha256()
for index in range(70):
    doc = tomlkit.parse(document_text(index))
    doc["project"]["version"] = "9.9.9"
    doc["project"]["dependencies"].append("extra>=1.0")
    table = tomlkit.table()
    table.add("enabled", True)
    table.add("level", index)
    doc.setdefault("tool", tomlkit.table())["added"] = table
    written = tomlkit.dumps(doc)
    digest.update(written.encode())
    digest.update(repr(sorted(doc.unwrap()["tool"])).encode())
    digest.update(tomlkit.dumps(tomlkit.parse(written)).encode())
print(digest.hexdigest())
