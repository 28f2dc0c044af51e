"""Workload for pycparser: parse generated C translation units and regenerate C source, as cffi does.

Seeded, deterministic; prints a sha256 digest of the regenerated code and node counts. Runs beside the
package as bench.py.
"""

# mypy: ignore-errors
# (checked in the library's own venv, not this repo's: the library is not installed here)
from __future__ import annotations

import hashlib
import random

from pycparser import c_ast, c_generator, c_parser

rng = random.Random(5)
TYPES = ["int", "unsigned long", "double", "char *", "struct point *", "size_t"]


def expression(depth: int = 0) -> str:
    if depth > 2 or rng.random() < 0.35:
        return rng.choice(["a", "b", "n", "p->x", "arr[i]", str(rng.randrange(100)), "0x1f"])
    return f"({expression(depth + 1)} {rng.choice(['+', '-', '*', '<<', '&', '==', '<', '&&'])} {expression(depth + 1)})"


def function(index: int) -> str:
    body = []
    for _ in range(rng.randrange(3, 9)):
        kind = rng.randrange(4)
        if kind == 0:
            body.append(f"    n = {expression()};")
        elif kind == 1:
            body.append(f"    if ({expression()}) {{ a += {expression()}; }} else {{ b--; }}")
        elif kind == 2:
            body.append(f"    for (i = 0; i < n; i++) {{ arr[i] = {expression()}; }}")
        else:
            body.append(f"    while ({expression()}) {{ b = f{max(0, index - 1)}(p, a, arr); break; }}")
    return (
        f"int f{index}(struct point *p, int a, int arr[]) {{\n    int b = 0; int i; long n = 0;\n"
        + "\n".join(body)
        + "\n    return (int)(a + b);\n}\n"
    )


class Counter(c_ast.NodeVisitor):
    def __init__(self) -> None:
        self.count = 0

    def generic_visit(self, node: c_ast.Node) -> None:
        self.count += 1
        super().generic_visit(node)


header = "typedef unsigned long size_t;\nstruct point { int x; int y; double w; };\n"
parser = c_parser.CParser()
generator = c_generator.CGenerator()
digest = hashlib.sha256()
for unit in range(6):
    source = header + "".join(function(unit * 40 + i) for i in range(40))
    ast = parser.parse(source, filename=f"unit{unit}.c")
    counter = Counter()
    counter.visit(ast)
    digest.update(generator.visit(ast).encode())
    digest.update(str(counter.count).encode())
print(digest.hexdigest())
