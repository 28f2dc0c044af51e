"""Workload for pyparsing: an arithmetic evaluator, a config-file grammar and a log-line grammar.

The kind of small grammars applications embed. Seeded, deterministic; prints a sha256 digest of every
result. Runs beside the package as bench.py.
"""

# mypy: ignore-errors
# (checked in the library's own venv, not this repo's: the library is not installed here)
from __future__ import annotations

import hashlib
import random

import pyparsing as pp

# as pyparsing's docs advise for infix_notation grammars; without it the expressions backtrack exponentially
pp.ParserElement.enable_packrat()
rng = random.Random(99)
digest = hashlib.sha256()

# arithmetic with variables, functions and precedence, evaluated from the parse tree
number = pp.pyparsing_common.number
ident = pp.Word(pp.alphas, pp.alphanums + "_")
expr = pp.Forward()
call = pp.Group(ident + pp.Suppress("(") + pp.Optional(pp.delimited_list(expr)) + pp.Suppress(")"))
operand = call | number | ident
expr <<= pp.infix_notation(
    operand,
    [
        (pp.one_of("+ -"), 1, pp.OpAssoc.RIGHT),
        (pp.one_of("* / %"), 2, pp.OpAssoc.LEFT),
        (pp.one_of("+ -"), 2, pp.OpAssoc.LEFT),
    ],
)


def random_expr(depth: int = 0) -> str:
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(
            [str(rng.randrange(100)), f"{rng.random() * 10:.2f}", rng.choice(["x", "y", "rate"])]
        )
    kind = rng.randrange(3)
    if kind == 0:
        return f"({random_expr(depth + 1)} {rng.choice('+-*/')} {random_expr(depth + 1)})"
    if kind == 1:
        return f"{rng.choice(['max', 'min'])}({random_expr(depth + 1)}, {random_expr(depth + 1)})"
    return f"{random_expr(depth + 1)} {rng.choice('+-*')} {random_expr(depth + 1)}"


for _ in range(120):
    digest.update(str(expr.parse_string(random_expr(), parse_all=True).as_list()).encode())

# an INI-like config grammar with typed values
key = pp.Word(pp.alphas + "_", pp.alphanums + "_.")
value = pp.QuotedString('"') | pp.pyparsing_common.number | pp.Word(pp.printables, exclude_chars="#")
entry = pp.Group(key + pp.Suppress("=") + value + pp.Optional(pp.python_style_comment).suppress())
section = pp.Group(pp.Suppress("[") + key + pp.Suppress("]") + pp.Group(pp.ZeroOrMore(entry)))
config = pp.ZeroOrMore(section)
lines = []
for s in range(40):
    lines.append(f"[section_{s}]")
    for k in range(rng.randrange(3, 9)):
        val = rng.choice(
            [str(rng.randrange(10_000)), f'"text {rng.randrange(99)}"', f"{rng.random():.4f}", "on"]
        )
        lines.append(f"key_{k} = {val}  # note")
digest.update(str(config.parse_string("\n".join(lines), parse_all=True).as_list()).encode())

# access log lines, scanned
ip = pp.Combine(pp.Word(pp.nums) + ("." + pp.Word(pp.nums)) * 3)
timestamp = pp.Suppress("[") + pp.SkipTo("]") + pp.Suppress("]")
request = pp.QuotedString('"')
log_line = (
    ip("ip") + pp.Suppress("- -") + timestamp("time") + request("request") + number("status") + number("size")
)
for _ in range(700):
    line = (
        f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)} - - [12/Mar/2024:10:{rng.randrange(60):02d}:00 +0000] "
        f'"GET /api/items/{rng.randrange(999)} HTTP/1.1" {rng.choice([200, 404, 500])} {rng.randrange(9999)}'
    )
    parsed = log_line.parse_string(line)
    digest.update(f"{parsed.ip}|{parsed.status}|{parsed.size}".encode())
print(digest.hexdigest())
