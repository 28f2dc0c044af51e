"""Micro-benchmark every catalogue rule: a slow snippet, its rewrite by `propose_rewrites`, both timed.

Timings are CPU time of the benchmarking thread (robust on a shared machine), interleaved
between original and rewrite, best of `--repeat` rounds.

Usage: python benchmarks/catalogue_rules.py [--json FILE] [--repeat N] [--only OPT001,OPT002]
"""

from __future__ import annotations

import argparse
import json
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from optiagent.rewrite.catalogue import all_rules, propose_rewrites


@dataclass(frozen=True)
class Case:
    """A slow module, the function to call, and the expression building its arguments."""

    rule_id: str
    source: str
    function: str  # expression for the callable, evaluated in the module's namespace
    arguments: str  # expression for the call's argument tuple, evaluated in the module's namespace
    qualname: str = ""


CASES = [
    Case("OPT001", "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n", "fib", "(22,)"),
    Case(
        "OPT002",
        "def keep(words: list[str], banned: list[str]) -> list[str]:\n    out = []\n    for w in words:\n"
        "        if w not in banned:\n            out.append(w)\n    return out\n",
        "keep",
        "([str(i) for i in range(400)], [str(i) for i in range(0, 800, 2)])",
    ),
    Case(  # the guarded form: bare `list` does not prove hashable elements
        "OPT002",
        "def keep(words: list, banned: list) -> list:\n    out = []\n    for w in words:\n"
        "        if w not in banned:\n            out.append(w)\n    return out\n",
        "keep",
        "([str(i) for i in range(400)], [str(i) for i in range(0, 800, 2)])",
    ),
    Case(
        "OPT003",
        'def render(rows):\n    out = "name,count\\n"\n    for name, count in rows:\n'
        '        out += f"{name},{count}\\n"\n    return out\n',
        "render",
        "([(f'item{i}', i) for i in range(5000)],)",
    ),
    Case(
        "OPT004",
        "def column(rows):\n    out = []\n    for row in rows:\n        out.append(row[0])\n    return out\n",
        "column",
        "([(i, str(i)) for i in range(3000)],)",
    ),
    Case(
        "OPT005",
        "def lowest(xs):\n    return sorted(xs)[0]\n",
        "lowest",
        "([((i * 7919) % 1009) / 7 for i in range(1000)],)",
    ),
    Case(  # [-1]: the last of equal extremes, max(reversed(xs))
        "OPT005",
        "def highest(xs: list[float]) -> float:\n    return sorted(xs)[-1]\n",
        "highest",
        "([((i * 7919) % 1009) / 7 for i in range(1000)],)",
    ),
    Case(
        "OPT006",
        "def tally(records):\n    counts = {}\n    for r in records:\n        if r.status in counts:\n"
        "            counts[r.status] += 1\n        else:\n            counts[r.status] = 1\n        r.seen = True\n"
        "    return counts\n\nclass Record:\n    def __init__(self, status):\n        self.status = status\n",
        "tally",
        "([Record(200 + i % 50) for i in range(2000)],)",
    ),
    Case(
        "OPT007",
        "def bfs(graph, start):\n    seen = {start}\n    order = []\n    queue = [start]\n    while queue:\n"
        "        node = queue.pop(0)\n        order.append(node)\n        for n in graph[node]:\n"
        "            if n not in seen:\n                seen.add(n)\n                queue.append(n)\n    return order\n",
        "bfs",
        "({i: [j for j in (i * 2 + 1, i * 2 + 2) if j < 20000] for i in range(20000)}, 0)",
    ),
    Case(
        "OPT008",
        "import re\n\ndef parse(lines):\n    found = []\n    for line in lines:\n"
        "        m = re.match(r'(\\d+)-(\\d+)', line)\n        if m:\n            found.append(m.group(1))\n"
        "    return found\n",
        "parse",
        "([f'{i}-{i * 2} rest' for i in range(2000)],)",
    ),
    Case(
        "OPT009",
        "def has_big(xs):\n    return any([x > 10 for x in xs])\n",
        "has_big",
        "(list(range(2000)),)",
    ),
    Case(
        "OPT010",
        "def weights(xs):\n    return [bin(x).count('1') for x in xs]\n",
        "weights",
        "([i * 2654435761 for i in range(2000)],)",
    ),
    Case(
        "OPT011",
        "def encrypt(xs, e, m):\n    return [(x ** e) % m for x in xs]\n",
        "encrypt",
        "(list(range(2, 502)), 200, 1_000_007)",
    ),
    Case(
        "OPT012",
        "def common(xs, ys):\n    out = []\n    for a in xs:\n        for b in ys:\n            if a == b:\n"
        "                out.append(a)\n                break\n    return out\n",
        "common",
        "(list(range(0, 600, 2)), list(range(0, 600, 3)))",
    ),
    Case(
        "OPT013",
        "def squares(n):\n    result = []\n    for i in range(n):\n        result = result + [i * i]\n    return result\n",
        "squares",
        "(1000,)",
    ),
    Case(
        "OPT014",
        "def dupes(xs: list[int]) -> list[int]:\n    out = []\n    for x in xs:\n        if xs.count(x) > 1:\n"
        "            out.append(x)\n    return out\n",
        "dupes",
        "([i % 250 for i in range(500)],)",
    ),
    Case(
        "OPT015",
        "class Scaler:\n    def __init__(self, factor):\n        self.factor = factor\n\n"
        "    def total(self, xs):\n        i = 0\n        out = 0.0\n        while i < len(xs):\n"
        "            out += xs[i] * self.factor\n            i += 1\n        return out\n",
        "Scaler(2.0).total",
        "([float(i) for i in range(3000)],)",
        qualname="Scaler.total",
    ),
    Case(
        "OPT016",
        "def total(xs):\n    s = 0\n    for i in range(len(xs)):\n        s += xs[i]\n    return s\n",
        "total",
        "(list(range(3000)),)",
    ),
    Case(
        "OPT017",
        "def flatten(rows):\n    return sum(rows, [])\n",
        "flatten",
        "([[i] * 10 for i in range(300)],)",
    ),
    Case(
        "OPT018",
        "import math\n\ndef roots(xs):\n    return [int(math.sqrt(n)) for n in xs]\n",
        "roots",
        "(list(range(3000)),)",
    ),
    Case(
        "OPT019",
        "def known(keys, table):\n    return [k for k in keys if k in table.keys()]\n",
        "known",
        "(list(range(3000)), dict.fromkeys(range(0, 3000, 2)))",
    ),
    Case("OPT020", "def first(d):\n    return list(d)[0]\n", "first", "(dict.fromkeys(range(1000)),)"),
    Case(
        "OPT021",
        "def drop(s: set, xs):\n    for x in xs:\n        if x in s:\n            s.remove(x)\n    s.update(xs)\n    return len(s)\n",
        "drop",
        "(set(range(2000)), list(range(2000)))",
    ),
    Case(
        "OPT024",
        "def tally(words):\n    counts = {}\n    for w in words:\n        if w in counts:\n            counts[w] += 1\n"
        "        else:\n            counts[w] = 1\n    return counts\n",
        "tally",
        "([f'w{i % 50}' for i in range(3000)],)",
    ),
    Case(
        "OPT027",
        "def first_seen(xs):\n    seen = []\n    for x in xs:\n        if x not in seen:\n"
        "            seen.append(x)\n    return seen\n",
        "first_seen",
        "([i % 400 for i in range(3000)],)",
    ),
    Case(
        "OPT026",
        "def merge(out, xs):\n    for x in xs:\n        out.append(x)\n    return len(out)\n",
        "merge",
        "([], list(range(3000)))",
    ),
    Case(
        "OPT028",
        "class Token:\n    def __init__(self, value):\n        self.value = value\n\n"
        "def text(tokens):\n    return ''.join(t.value for t in tokens)\n",
        "text",
        "([Token(str(i)) for i in range(40)],)",
    ),
    Case(
        "OPT029",
        "def imt(token, patterns):\n    if any(token.startswith(p) for p in patterns):\n        return True\n"
        "    return False\n\n"
        "def run(words):\n    return [imt(w, ('SELECT', 'FROM', 'WHERE', 'JOIN')) for w in words]\n",
        "run",
        "(['a', 'b', 'JOIN x', 'where', 'SELECT 1'] * 20,)",
        qualname="imt",
    ),
    Case(  # re.compile of a literal inside the function: the re cache lookup on every call
        "OPT008",
        "import re\n\ndef words(lines):\n    return [re.compile(r'\\w+').findall(line) for line in lines]\n",
        "words",
        "(['alpha beta', 'x', 'one two three'] * 300,)",
    ),
    Case(  # a bidi-class check per code point, most of them misses (check_bidi-style)
        "OPT030",
        "def rtl_count(directions):\n    n = 0\n    for d in directions:\n"
        "        if d in ['R', 'AL', 'AN']:\n            n += 1\n"
        "        elif d not in ['L', 'EN', 'ES', 'CS', 'ET', 'ON', 'BN', 'NSM']:\n            n -= 1\n"
        "    return n\n",
        "rtl_count",
        "(['L', 'L', 'EN', 'L', 'ON', 'R', 'L', 'NSM', 'L', 'CS'] * 300,)",
    ),
    Case(  # enum members tested against a set display (tomlkit StringType.is_basic-style)
        "OPT031",
        "import enum\n\nclass Kind(enum.Enum):\n    SLB = 1\n    MLB = 2\n    SLL = 3\n    MLL = 4\n\n"
        "def basic(kinds):\n    return [k in {Kind.SLB, Kind.MLB} for k in kinds]\n",
        "basic",
        "(list(Kind) * 500,)",
    ),
    Case(  # packed-range helpers called per lookup (idna intranges-style)
        "OPT032",
        "def _encode(start, end):\n    return (start << 32) | end\n\n"
        "def _decode(r):\n    return (r >> 32), (r & ((1 << 32) - 1))\n\n"
        "def contained(points, ranges):\n    n = 0\n    for p in points:\n"
        "        key = _encode(p, 0)\n        left, right = _decode(ranges[key % len(ranges)])\n"
        "        if left <= p < right:\n            n += 1\n    return n\n",
        "contained",
        "(list(range(2000)), [(i << 32) | (i + 50) for i in range(0, 4000, 40)])",
    ),
    Case(  # a re.sub callback reading the same group in every branch (isodate strftime-style)
        "OPT034",
        "import re\n\nCODES = {'%d': 'DD', '%m': 'MM', '%Y': 'YYYY'}\n\n"
        "def render(formats):\n    def repl(match):\n        if match.group(0) in CODES:\n"
        "            return CODES[match.group(0)]\n        return match.group(0)\n\n"
        "    return [re.sub('%d|%m|%Y|%H|%%', repl, f) for f in formats]\n",
        "render",
        "(['%Y-%m-%d %H:%%', '%d/%m', 'at %H'] * 200,)",
    ),
    Case(  # children told their parent through a list comprehension (sqlparse TokenList.__init__-style)
        "OPT035",
        "class Node:\n    def __init__(self, children):\n        self.children = children\n"
        "        [setattr(child, 'parent', self) for child in self.children]\n\n"
        "def adopt(kids):\n    return Node(kids)\n",
        "adopt",
        "([Node([]) for _ in range(40)],)",
        qualname="Node.__init__",
    ),
    Case(  # a Decimal quantum rebuilt from its literal on every call (isodate parse_time-style)
        "OPT033",
        "from decimal import ROUND_FLOOR, Decimal\n\n"
        "def micros(values):\n"
        "    return [int((Decimal(v).quantize(Decimal('.000001'), rounding=ROUND_FLOOR) % 1) * int(1e6))"
        " for v in values]\n",
        "micros",
        "([f'{i}.{i * 7919 % 1000000:06d}5' for i in range(1500)],)",
    ),
    Case(  # a locale looked up on a thread-local that was never set (humanize get_translation-style)
        "OPT036",
        "from threading import local\n\nTABLE = {None: 'C', 'de': 'de_DE'}\nSTATE = local()\n\n"
        "def translation():\n    try:\n        return TABLE[STATE.locale]\n"
        "    except (AttributeError, KeyError):\n        return TABLE[None]\n\n"
        "def render(n):\n    return [translation() for _ in range(n)]\n",
        "render",
        "(400,)",
        qualname="translation",
    ),
    Case(  # a digit table rebuilt on every call (humanize scientific-style)
        "OPT037",
        "def superscript(text):\n"
        "    table = {'0': '\u2070', '1': '\u00b9', '2': '\u00b2', '3': '\u00b3', '4': '\u2074',"
        " '5': '\u2075', '6': '\u2076', '7': '\u2077', '8': '\u2078', '9': '\u2079', '-': '\u207b'}\n"
        "    return ''.join([table[c] for c in text])\n\n"
        "def render(values):\n    return [superscript(v) for v in values]\n",
        "render",
        "([str(i - 500) for i in range(1000)],)",
        qualname="superscript",
    ),
]


def _load(source: str, function: str, arguments: str) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    namespace: dict[str, Any] = {"__name__": "bench_case"}
    exec(compile(source, "<bench>", "exec"), namespace)
    args: tuple[Any, ...] = eval(arguments, namespace)
    target: Callable[..., Any] = eval(function, namespace)
    return target, args


def _rewritten(case: Case) -> str | None:
    for proposal in propose_rewrites(case.source, case.qualname or case.function, max_combinations=0):
        if proposal.rules == (case.rule_id,):
            return proposal.source
    return None


# snippets that change their arguments: each timed call gets freshly built ones
_MUTATES_ARGUMENTS = {"OPT021", "OPT026"}
# snippets whose rewrite caches results: each timed call starts from a freshly loaded module
_CACHES_RESULTS = {"OPT001"}


def _time_calls(case: Case, source: str, number: int) -> float:
    """Seconds per call, best kept by the caller; state that would leak between calls is rebuilt."""
    target, args = _load(source, case.function, case.arguments)
    total = 0.0
    for _ in range(number):
        if case.rule_id in _CACHES_RESULTS:
            target, args = _load(source, case.function, case.arguments)
        elif case.rule_id in _MUTATES_ARGUMENTS:
            args = _load(source, case.function, case.arguments)[1]
        started = time.thread_time()
        target(*args)
        total += time.thread_time() - started
    return total / number


def measure(case: Case, repeat: int) -> dict[str, Any] | None:
    """Best-of-`repeat` interleaved timings of the original and the rewritten snippet."""
    fast_source = _rewritten(case)
    if fast_source is None:
        return None
    slow, slow_args = _load(case.source, case.function, case.arguments)
    once = timeit.timeit(lambda: slow(*slow_args), number=1)
    number = max(1, min(200, int(0.005 / max(once, 1e-7))))
    best_slow = best_fast = float("inf")
    for _ in range(repeat):  # interleaved so that drifts in machine load hit both sides alike
        best_slow = min(best_slow, _time_calls(case, case.source, number))
        best_fast = min(best_fast, _time_calls(case, fast_source, number))
    title = next(rule.info.title for rule in all_rules() if rule.info.id == case.rule_id)
    return {
        "id": case.rule_id,
        "title": title,
        "original_s": best_slow,
        "rewritten_s": best_fast,
        "speedup": best_slow / best_fast,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", type=Path, help="write the results as JSON to this file")
    parser.add_argument(
        "--repeat", type=int, default=25, help="interleaved rounds; the best of each side is kept"
    )
    parser.add_argument("--only", default="", help="comma-separated rule ids to run")
    options = parser.parse_args(argv)
    wanted = {rule_id.strip() for rule_id in options.only.split(",") if rule_id.strip()}
    table = Table(title="Catalogue rules: micro-benchmarks (CPython)")
    for column in ("rule", "title", "original µs", "rewritten µs", "speedup"):
        table.add_column(column, justify="right" if "µs" in column or column == "speedup" else "left")
    results: list[dict[str, Any]] = []
    for case in CASES:
        if wanted and case.rule_id not in wanted:
            continue
        result = measure(case, options.repeat)
        if result is None:
            table.add_row(case.rule_id, "(rule did not apply)", "-", "-", "-")
            continue
        results.append(result)
        table.add_row(
            result["id"],
            result["title"],
            f"{result['original_s'] * 1e6:,.1f}",
            f"{result['rewritten_s'] * 1e6:,.1f}",
            f"{result['speedup']:.2f}x",
        )
    Console().print(table)
    if options.json is not None:
        options.json.write_text(json.dumps({"rules": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
