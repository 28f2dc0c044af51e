"""Near misses of the rules that pay on real libraries (OPT002, OPT008, OPT015, OPT019, OPT027, OPT030-OPT035).

Two kinds: code that looks like a rule's pattern but where the rewrite would change behaviour, which
the rule itself must refuse (no candidate at all); and rewrites whose remaining assumption is tested
rather than proven (hashable values), which the rule proposes and the real check must reject with a
counterexample, although the workload never shows the bad input.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.verdicts import Mismatch
from optiagent.rewrite.catalogue import propose_rewrites
from optiagent.verify.verdicts import CheckOutcome

from .conftest import _check, _function, candidate_source
from .corpus import Trap

# (name, rule, module source, target): each looks like the rule's pattern, and rewriting it would be wrong.
REFUSED: tuple[tuple[str, str, str, str], ...] = (
    (
        "regex-flags-from-a-parameter",  # re.compile at import time cannot know the caller's flags
        "OPT008",
        "import re\n\ndef find(text, flags):\n    return re.findall(r'\\w+', text, flags)\n",
        "find",
    ),
    (
        "regex-module-shadowed-by-a-parameter",  # `re` here is whatever the caller passes
        "OPT008",
        "import re\n\ndef find(text, re):\n    return re.findall(r'\\w+', text)\n",
        "find",
    ),
    (
        "regex-module-rebound-globally",  # a function swaps `re` for another engine at run time
        "OPT008",
        "import re\n\ndef use(engine):\n    global re\n    re = engine\n\n"
        "def find(text):\n    return re.findall(r'\\w+', text)\n",
        "find",
    ),
    (
        "regex-pattern-with-an-f-string-part",  # not a literal: it depends on the call
        "OPT008",
        "import re\n\ndef find(text, word):\n    return re.findall(r'\\b' f'{word}', text)\n",
        "find",
    ),
    (
        "membership-set-in-a-returned-generator",  # runs later: the caller may extend banned first
        "OPT002",
        "def allowed(words, banned: list[str]):\n    return (w for w in words if w not in banned)\n",
        "allowed",
    ),
    (
        "membership-set-across-a-yield",  # `for w in unique(ws, seen): seen.append(w)` changes seen between items
        "OPT002",
        "def unique(words, seen: list[str]):\n    for w in words:\n        if w not in seen:\n"
        "            yield w\n",
        "unique",
    ),
    (
        "attribute-hoisted-across-a-yield",  # the consumer may set self.limit between items
        "OPT015",
        "class Scaled:\n    def values(self, n):\n        for i in range(n):\n"
        "            yield self.limit * i\n",
        "Scaled.values",
    ),
    (
        "constant-tuple-also-compared-in-a-chain",  # x in T == y also tests T == y: a set is not a tuple
        "OPT030",
        "def same(x, y):\n    return x in (1, 2, 3) == y\n",
        "same",
    ),
    (
        "set-display-also-compared-in-a-chain",  # x in {a, b} == s also tests {a, b} == s
        "OPT031",
        "def same(x, a, b, s):\n    return x in {a, b} == s\n",
        "same",
    ),
    (
        "keys-view-also-compared-in-a-chain",  # k in d.keys() == s: a keys view equals a set, a dict does not
        "OPT019",
        "def same(k, d, s):\n    return k in d.keys() == s\n",
        "same",
    ),
    (
        "seen-list-also-compared-in-a-chain",  # x not in seen == s also tests seen == s: seen stays a list
        "OPT027",
        "def firsts(xs, s):\n    seen = []\n    for x in xs:\n        if x not in seen == s:\n"
        "            seen.append(x)\n    return seen\n",
        "firsts",
    ),
    (
        "membership-in-a-tuple-with-a-variable",  # a variable element may be unhashable
        "OPT030",
        "def known(x, extra):\n    return x in ('a', 'b', extra)\n",
        "known",
    ),
    (
        "helper-that-reads-the-clock",  # a seam tests replace (mock.patch('mod._now')): must stay a call
        "OPT032",
        "import time\n\ndef _now():\n    return time.time()\n\ndef age(t):\n    return _now() - t\n",
        "age",
    ),
    (
        "helper-rebound-after-definition",  # the name means another function at run time
        "OPT032",
        "def _scale(x):\n    return x * 2\n\n_scale = abs\n\ndef f(x):\n    return _scale(x)\n",
        "f",
    ),
    (
        "helper-argument-skipped-by-or",  # `a or b`: b's IndexError would no longer be raised
        "OPT032",
        "def _either(a, b):\n    return a or b\n\ndef f(x, ys):\n    return _either(x, ys[0])\n",
        "f",
    ),
    (
        "helper-global-shadowed-in-caller",  # LIMIT in the caller is its parameter, not the global
        "OPT032",
        "LIMIT = 3\n\ndef _cap(x):\n    return min(x, LIMIT)\n\ndef f(x, LIMIT):\n    return _cap(x)\n",
        "f",
    ),
    (
        "match-receiver-rebound-between-reads",  # the second read is of another match
        "OPT034",
        "import re\n\ndef pair(a, b):\n    m = re.match(r'(\\w+)', a)\n    first = m.group(1)\n"
        "    m = re.match(r'(\\w+)', b)\n    return first, m.group(1)\n",
        "pair",
    ),
    (
        "match-groupdict-mutated-between-reads",  # each groupdict() is a fresh dict the caller changes
        "OPT034",
        "import re\n\ndef fields(s):\n    m = re.match(r'(?P<k>\\w+)', s)\n    d = m.groupdict()\n"
        "    d['k'] = None\n    return d, m.groupdict()\n",
        "fields",
    ),
    (
        "group-method-of-something-else",  # not proven a re.Match: `group` may do anything
        "OPT034",
        "def twice(counter):\n    return counter.group(0), counter.group(0)\n",
        "twice",
    ),
    (
        "side-effect-comprehension-whose-variable-is-used-after",  # the loop would leave x = last item
        "OPT035",
        "def last(xs, out):\n    x = None\n    [out.append(x) for x in xs]\n    return x\n",
        "last",
    ),
    (
        "decimal-nan-constant",  # one shared NaN object would make `nan in [nan]` true
        "OPT033",
        "from decimal import Decimal\n\ndef blank():\n    return Decimal('NaN')\n",
        "blank",
    ),
    (
        "decimal-from-a-float-literal",  # a context trapping FloatOperation raises at the call
        "OPT033",
        "from decimal import Decimal\n\ndef tenth():\n    return Decimal(0.1)\n",
        "tenth",
    ),
    (
        "constructor-named-like-decimal",  # not decimal.Decimal: may be mutable or impure
        "OPT033",
        "from money import Decimal\n\ndef zero():\n    return Decimal('0')\n",
        "zero",
    ),
)


@pytest.mark.parametrize(("name", "rule", "source", "target"), REFUSED, ids=[r[0] for r in REFUSED])
def test_the_rule_refuses_the_near_miss(name: str, rule: str, source: str, target: str) -> None:
    """The rule proposes no candidate at all for code where its rewrite would be wrong."""
    assert all(rule not in proposal.rules for proposal in propose_rewrites(source, target)), name


# Rewrites whose hashability assumption is tested: the workload only passes hashable values.
TESTED: tuple[Trap, ...] = (
    Trap(
        "keyword-test-on-unhashable-token",
        "def keywords(tokens: list) -> list:\n    return [t in ('if', 'for', 'while') for t in tokens]\n",
        "keywords",
        ((["if", "x", "while"],), (["for", "y"],)),
        rule="OPT030",
        why="a list among the tokens (False in a tuple, TypeError in a set)",
    ),
    Trap(
        "set-display-of-unhashable-values",
        "def among(items: list, a: int, b: int) -> list:\n    return [x in {a, b} for x in items]\n",
        "among",
        (([1, 2, 3], 2, 3), ([4, 5], 5, 9)),
        rule="OPT031",
        why="a list among the items (TypeError hashing it for the set, False in the tuple)",
    ),
)


@pytest.fixture(scope="module")
def tested_outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, CheckOutcome]]:
    box = LocalSandbox()
    base = tmp_path_factory.mktemp("near-misses")
    with ThreadPoolExecutor(2) as pool:
        futures = {trap.name: pool.submit(_check, box, trap, base / trap.name) for trap in TESTED}
        outcomes = {name: future.result() for name, future in futures.items()}
    yield outcomes
    box.close()


@pytest.mark.parametrize("trap", TESTED, ids=lambda trap: trap.name)
def test_the_workload_agrees_with_the_rewrite(trap: Trap) -> None:
    """On every workload call the rewrite agrees with the original: only other inputs expose it."""
    original = _function(trap.original, trap.qualname)
    candidate = _function(candidate_source(trap), trap.qualname)
    for args in trap.workload:
        assert repr(original(*copy.deepcopy(args))) == repr(candidate(*copy.deepcopy(args)))  # type: ignore[operator]


@pytest.mark.parametrize("trap", TESTED, ids=lambda trap: trap.name)
def test_the_check_rejects_the_rewrite(trap: Trap, tested_outcomes: dict[str, CheckOutcome]) -> None:
    """The real check finds an input where the tested assumption fails and names it."""
    verdict = tested_outcomes[trap.name].verdict
    assert isinstance(verdict, Mismatch), f"{trap.name}: {verdict}"
    assert verdict.counterexample
