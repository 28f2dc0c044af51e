"""Tempting rewrites that are wrong only on inputs the workload never shows.

Each trap: the original module, the target, the calls its workload makes (all of one plausible
kind: they never show the input that breaks the rewrite), and the rewrite: a catalogue rule id
(the candidate is what that rule proposes) or a given candidate module, as an LLM would give it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Trap:
    name: str
    original: str
    qualname: str
    workload: tuple[tuple[Any, ...], ...]  # positional arguments of each captured call
    rule: str = ""  # a catalogue rule that proposes the wrong rewrite ...
    candidate: str = ""  # ... or the wrong rewrite as given
    why: str = ""  # the input kind the workload never shows


def _calls(*calls: tuple[Any, ...]) -> tuple[tuple[Any, ...], ...]:
    return calls


INTS = [[3, 1, 4], [1, 5, 9, 2], [6, 5, 3, 5]]

TRAPS: tuple[Trap, ...] = (
    Trap(
        "membership-set-of-bare-list",
        "def tagged(tags: list, catalog: list) -> list:\n"
        "    out = []\n"
        "    for t in tags:\n"
        "        if t in catalog:\n"
        "            out.append(t)\n"
        "    return out\n",
        "tagged",
        _calls(([1, 2, 3], [2, 3, 4]), ([5, 6], [6, 7, 8, 9])),
        candidate="def tagged(tags: list, catalog: list) -> list:\n"
        "    seen = set(catalog)\n"
        "    return [t for t in tags if t in seen]\n",
        why="a list or dict inside `catalog` (unhashable)",
    ),
    Trap(
        "seen-list-shadow-set",
        "def distinct(rows: list) -> list:\n"
        "    seen = []\n"
        "    for row in rows:\n"
        "        if row not in seen:\n"
        "            seen.append(row)\n"
        "    return seen\n",
        "distinct",
        _calls(([1, 2, 2, 3],), ([4, 4, 4],)),
        rule="OPT027",
        why="unhashable rows",
    ),
    Trap(
        "count-to-counter",
        "def repeats(xs: list, wanted: list) -> int:\n"
        "    total = 0\n"
        "    for w in wanted:\n"
        "        total += xs.count(w)\n"
        "    return total\n",
        "repeats",
        _calls(([1, 2, 2, 3], [2, 3]), ([4, 4, 5], [4])),
        rule="OPT014",
        why="unhashable elements of xs",
    ),
    Trap(
        "equality-scan-nan",
        "def shared(xs: list[float], ys: list[float]) -> int:\n"
        "    hits = 0\n"
        "    for a in xs:\n"
        "        for b in ys:\n"
        "            if a == b:\n"
        "                hits += 1\n"
        "                break\n"
        "    return hits\n",
        "shared",
        _calls(([1.5, 2.5], [2.5, 3.5]), ([0.5], [0.5, 1.0])),
        rule="OPT012",
        why="the same NaN object on both sides (a set finds it, == does not)",
    ),
    Trap(
        "sum-lists-chain",
        "def flatten(parts: list) -> list:\n    return sum(parts, [])\n",
        "flatten",
        _calls(([[1, 2], [3]],), ([[4], [5, 6]],)),
        rule="OPT017",
        why="a tuple among the parts (sum raises, chain does not)",
    ),
    Trap(
        "first-item-empty",
        "def head(xs: list[int]) -> int:\n    return list(xs)[0]\n",
        "head",
        _calls(([3, 1],), ([2],)),
        rule="OPT020",
        why="an empty list (IndexError becomes StopIteration)",
    ),
    Trap(
        "max-keeps-first-of-equals",
        "def top(xs: list[int]) -> int:\n    return sorted(xs)[-1] if xs else 0\n",
        "top",
        _calls(*[(x,) for x in INTS]),
        candidate="def top(xs: list[int]) -> int:\n    return max(xs) if xs else 0\n",
        why="1 and True in one list: the stable sort ends with the last, max keeps the first",
    ),
    Trap(
        "min-under-nan",
        "def low(xs: list[float]) -> float:\n    return sorted(xs)[0] if xs else 0.0\n",
        "low",
        _calls(([2.5, 1.5],), ([0.5, 3.0, 1.0],)),
        candidate="def low(xs: list[float]) -> float:\n    return min(xs) if xs else 0.0\n",
        why="NaN (no total order)",
    ),
    Trap(
        "duplicates-by-set-size",
        "def has_duplicates(xs: list[float]) -> bool:\n"
        "    for i in range(len(xs)):\n"
        "        for j in range(i + 1, len(xs)):\n"
        "            if xs[i] == xs[j]:\n"
        "                return True\n"
        "    return False\n",
        "has_duplicates",
        _calls(([1.0, 2.0, 1.0],), ([0.5, 0.25],)),
        candidate="def has_duplicates(xs: list[float]) -> bool:\n    return len(set(xs)) != len(xs)\n",
        why="the same NaN twice (one set element, never == itself)",
    ),
    Trap(
        "bool-formatted-as-int",
        "def label(n: int) -> str:\n    return 'item-' + str(n)\n",
        "label",
        _calls((1,), (7,), (12,)),
        candidate="def label(n: int) -> str:\n    return 'item-%d' % n\n",
        why="True where an int is expected ('item-True' vs 'item-1')",
    ),
    Trap(
        "dedupe-by-dict-keys",
        "def dedupe(xs: list) -> list:\n"
        "    out = []\n"
        "    for x in xs:\n"
        "        if x not in out:\n"
        "            out.append(x)\n"
        "    return out\n",
        "dedupe",
        _calls(([1, 2, 1],), ([3, 3],)),
        candidate="def dedupe(xs: list) -> list:\n    return list(dict.fromkeys(xs))\n",
        why="unhashable elements",
    ),
    Trap(
        "counter-with-own-eq",
        "def count_equal(items: list, target: object) -> int:\n"
        "    n = 0\n"
        "    for item in items:\n"
        "        if item == target:\n"
        "            n += 1\n"
        "    return n\n",
        "count_equal",
        _calls(([1, 2, 2], 2), ([5, 6], 6)),
        candidate="import collections\n\n\n"
        "def count_equal(items: list, target: object) -> int:\n"
        "    return collections.Counter(items)[target]\n",
        why="a subclass with its own __eq__/__hash__, or an unhashable target",
    ),
    Trap(
        "dropped-break",
        "def first_negative(xs: list[int]) -> int:\n"
        "    found = 0\n"
        "    for x in xs:\n"
        "        if x < 0:\n"
        "            found = x\n"
        "            break\n"
        "    return found\n",
        "first_negative",
        _calls(([3, -1, 4],), ([5, 9, -2],), ([1, 2],)),
        candidate="def first_negative(xs: list[int]) -> int:\n"
        "    found = 0\n"
        "    for x in xs:\n"
        "        if x < 0:\n"
        "            found = x\n"
        "    return found\n",
        why="two negatives in one list",
    ),
    Trap(
        "sorts-the-argument",
        "def top3(xs: list[int]) -> list[int]:\n    return sorted(xs)[-3:]\n",
        "top3",
        _calls(([1, 2, 3, 4],), ([5, 6, 7],)),
        candidate="def top3(xs: list[int]) -> list[int]:\n    xs.sort()\n    return xs[-3:]\n",
        why="an unsorted list (the workload's are sorted): the caller's list changes",
    ),
    Trap(
        "exception-type-change",
        "def lookup(table: dict[str, int], key: str) -> int:\n    return table[key]\n",
        "lookup",
        _calls(({"a": 1, "b": 2}, "a"), ({"c": 3}, "c")),
        candidate="def lookup(table: dict[str, int], key: str) -> int:\n"
        "    for k, v in table.items():\n"
        "        if k == key:\n"
        "            return v\n"
        "    raise ValueError(key)\n",
        why="a missing key (KeyError becomes ValueError)",
    ),
    Trap(
        "reads-a-global-for-a-parameter",
        "LIMIT = 10\n\n\n"
        "def clip(xs: list[int], limit: int = LIMIT) -> list[int]:\n"
        "    return [min(x, limit) for x in xs]\n",
        "clip",
        _calls(([3, 12, 7],), ([15, 1],)),
        candidate="LIMIT = 10\n\n\n"
        "def clip(xs: list[int], limit: int = LIMIT) -> list[int]:\n"
        "    return [min(x, LIMIT) for x in xs]\n",
        why="a `limit` other than the default (the workload never passes one)",
    ),
    Trap(
        "reads-a-global-at-import",
        "RATES = {'eur': 1.0}\n\n\n"
        "def convert(amount: float, currency: str) -> float:\n"
        "    RATES.setdefault(currency, 2.0)\n"
        "    return amount * RATES[currency]\n",
        "convert",
        _calls((10.0, "eur"), (5.0, "eur")),
        candidate="RATES = {'eur': 1.0}\n_RATE = RATES.get\n\n\n"
        "def convert(amount: float, currency: str) -> float:\n"
        "    return amount * _RATE(currency, 2.0)\n",
        why="a currency not yet in the global table (the original records it there)",
    ),
    Trap(
        "float-summation-order",
        "def mean(xs: list[float]) -> float:\n"
        "    total = 0.0\n"
        "    for x in xs:\n"
        "        total += x\n"
        "    return total / len(xs)\n",
        "mean",
        _calls(([1.5, 2.5, 3.0],), ([0.5, 0.25],)),
        candidate="import math\n\n\ndef mean(xs: list[float]) -> float:\n    return math.fsum(xs) / len(xs)\n",
        why="inf and -inf together (fsum raises) or cancelling magnitudes",
    ),
    Trap(
        "generator-exhaustion",
        "from collections.abc import Iterable\n\n\n"
        "def spread(xs: Iterable[int]) -> int:\n"
        "    lo = hi = 0\n"
        "    first = True\n"
        "    for x in xs:\n"
        "        if first or x < lo:\n"
        "            lo = x\n"
        "        if first or x > hi:\n"
        "            hi = x\n"
        "        first = False\n"
        "    return hi - lo\n",
        "spread",
        _calls(([3, 1, 4],), ([1, 5, 9, 2],)),
        candidate="from collections.abc import Iterable\n\n\n"
        "def spread(xs: Iterable[int]) -> int:\n"
        "    return max(xs, default=0) - min(xs, default=0)\n",
        why="a one-shot iterator (the second pass sees nothing)",
    ),
    Trap(
        "set-iteration-order",
        "def unique_words(words: list[str]) -> list[str]:\n"
        "    out = []\n"
        "    for w in words:\n"
        "        if w not in out:\n"
        "            out.append(w)\n"
        "    return out\n",
        "unique_words",
        _calls((["a"],), (["b", "b"],)),
        candidate="def unique_words(words: list[str]) -> list[str]:\n    return list(set(words))\n",
        why="two distinct words (a set's order is not first-seen order)",
    ),
    Trap(
        "is-on-ints",
        "def count_value(xs: list[int], v: int) -> int:\n    return sum(1 for x in xs if x == v)\n",
        "count_value",
        _calls(([1, 2, 2, 3], 2), ([4, 5], 5)),
        candidate="def count_value(xs: list[int], v: int) -> int:\n    return sum(1 for x in xs if x is v)\n",
        why="an int outside the small-int cache (-5..256)",
    ),
    Trap(
        "is-on-strings",
        "def same(a: str, b: str) -> bool:\n    return a == b\n",
        "same",
        _calls(("x", "y"), ("abc", "abd")),
        candidate="def same(a: str, b: str) -> bool:\n    return a is b\n",
        why="equal strings that are different objects",
    ),
    Trap(
        "str-subclass-membership",
        "def known(names: list[str], pool: list) -> list[str]:\n    return [n for n in names if n in pool]\n",
        "known",
        _calls((["ann", "bob"], ["bob", "cy"]), (["dee"], ["dee"])),
        candidate="def known(names: list[str], pool: list) -> list[str]:\n"
        "    members = frozenset(pool)\n"
        "    return [n for n in names if n in members]\n",
        why="a str subclass with its own __eq__/__hash__ in the pool, or an unhashable one",
    ),
    Trap(
        "str-subclass-membership-guarded",
        "def known(names: list[str], pool: list) -> list[str]:\n    return [n for n in names if n in pool]\n",
        "known",
        _calls((["ann", "bob"], ["bob", "cy"]), (["dee"], ["dee"])),
        candidate="def known(names: list[str], pool: list) -> list[str]:\n"
        "    try:\n"
        "        members = frozenset(pool)\n"
        "    except TypeError:\n"
        "        return [n for n in names if n in pool]\n"
        "    return [n for n in names if n in members]\n",
        why="a str subclass with its own __eq__/__hash__ in the pool (unhashables are guarded)",
    ),
    Trap(
        "reverse-sort-stability",
        "def rank(xs: list[float]) -> list[float]:\n    return sorted(xs, reverse=True)\n",
        "rank",
        _calls(([2.5, 1.5, 3.5],), ([0.5, 0.75],)),
        candidate="def rank(xs: list[float]) -> list[float]:\n    return sorted(xs)[::-1]\n",
        why="equal values of different types (1 and 1.0): reversing a sort is not a stable reverse sort",
    ),
)
