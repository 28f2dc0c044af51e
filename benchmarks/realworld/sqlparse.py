"""Workload for sqlparse: format, split and inspect generated SQL as a query logger or linter does.

Seeded, deterministic; prints a sha256 digest of every output. Runs beside the package as bench.py.
"""

# mypy: ignore-errors
# (checked in the library's own venv, not this repo's: the library is not installed here)
from __future__ import annotations

import hashlib
import random

import sqlparse

rng = random.Random(1234)
TABLES = ["users", "orders", "order_items", "products", "invoices", "payments", "audit_log"]
COLUMNS = ["id", "user_id", "created_at", "status", "amount", "name", "email", "price", "quantity", "note"]


def column() -> str:
    return f"{rng.choice('abcdefg')}.{rng.choice(COLUMNS)}"


def condition() -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"{column()} = {rng.randrange(1000)}"
    if kind == 1:
        return f"{column()} IN ({', '.join(str(rng.randrange(99)) for _ in range(rng.randrange(2, 6)))})"
    if kind == 2:
        return f"{column()} LIKE '%{rng.choice(['smith', 'acme', 'x'])}%'"
    return f"{column()} BETWEEN '2024-0{rng.randrange(1, 9)}-01' AND now()"


def select() -> str:
    cols = ", ".join(column() for _ in range(rng.randrange(2, 7)))
    joins = " ".join(
        f"left join {rng.choice(TABLES)} {a} on {a}.id = a.{rng.choice(COLUMNS)}"
        for a in "bcd"[: rng.randrange(0, 3)]
    )
    where = " and ".join(condition() for _ in range(rng.randrange(1, 4)))
    tail = rng.choice(["", " group by a.status", " order by a.created_at desc limit 50", ""])
    return f"select {cols} from {rng.choice(TABLES)} a {joins} where {where}{tail};"


def insert() -> str:
    cols = rng.sample(COLUMNS, 4)
    values = ", ".join(
        f"({rng.randrange(999)}, '{rng.choice(['a', 'b'])}', {rng.random():.3f}, null)" for _ in range(3)
    )
    return f"insert into {rng.choice(TABLES)} ({', '.join(cols)}) values {values};"


def update() -> str:
    return f"update {rng.choice(TABLES)} set status = 'done', amount = amount * 1.1 where {condition()};"


statements = [rng.choice([select, select, insert, update])() for _ in range(160)]
script = "\n".join(statements)
digest = hashlib.sha256()
for statement in sqlparse.split(script):
    digest.update(statement.encode())
for sql in statements:
    digest.update(sqlparse.format(sql, reindent=True, keyword_case="upper", identifier_case="lower").encode())
    parsed = sqlparse.parse(sql)[0]
    digest.update(parsed.get_type().encode())
    digest.update(str(sum(1 for _ in parsed.flatten())).encode())
digest.update(sqlparse.format(script, strip_comments=True, reindent_aligned=True).encode())
print(digest.hexdigest())
