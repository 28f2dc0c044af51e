"""Few-shot retrieval from accepted edits by normalized-token similarity."""

from __future__ import annotations

from optiagent.agents.analysis import analyse
from optiagent.agents.retrieval import normalized_tokens, similar_edits, similarity
from optiagent.domain.targets import Target, TargetKind
from optiagent.ports.generator import PastEdit, TargetContext

LOOP = "def f(xs, ys):\n    out = []\n    for x in xs:\n        if x in ys:\n            out.append(x)\n    return out\n"
RENAMED = "def g(items, allowed):\n    kept = []\n    for item in items:\n        if item in allowed:\n            kept.append(item)\n    return kept\n"
OTHER = "def h(n):\n    return n * 2 + 1\n"


def test_names_numbers_and_strings_are_normalized_away() -> None:
    assert normalized_tokens("x = foo(1, 'a')  # note") == ["ID", "=", "ID", "(", "NUM", ",", "STR", ")"]
    assert normalized_tokens("len(x)")[0] == "len"  # builtins are kept
    assert similarity(LOOP, RENAMED) > 0.99
    assert similarity(LOOP, OTHER) < 0.5


def test_similar_edits_rank_by_shape_and_skip_the_same_code() -> None:
    edits = [
        PastEdit("h", OTHER, OTHER, 1.2),
        PastEdit("g", RENAMED, "def g(a, b): ...", 3.0),
        PastEdit("f", LOOP, LOOP, 2.0),
    ]
    found = similar_edits(LOOP, edits, k=2)
    assert [e.qualname for e in found] == ["g"]  # h is too different, f is this very code


def test_the_problem_statement_carries_retrieved_examples() -> None:
    target = Target("m.py", "f", TargetKind.FUNCTION)
    edit = PastEdit(
        "g",
        RENAMED,
        "def g(items, allowed):\n    s = set(allowed)\n    return [i for i in items if i in s]\n",
        4.0,
    )
    with_history = analyse(target, TargetContext(LOOP, LOOP, past_edits=[edit]))
    without = analyse(target, TargetContext(LOOP, LOOP, past_edits=[PastEdit("h", OTHER, OTHER, 1.1)]))
    assert (
        with_history.examples_used == 1
        and "4.00x faster" in with_history.text
        and "s = set(allowed)" in with_history.text
    )
    assert without.examples_used == 0 and "optimized before" not in without.text
