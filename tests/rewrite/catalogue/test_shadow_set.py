"""OPT027: a growing list tested for membership in a loop gets a set kept beside it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
def first_seen(words):
    seen = []  # order matters to the caller
    for word in words:
        if word not in seen:
            seen.append(word.lower() if word.isupper() else word)
    return seen
"""

COMPREHENSION = """\
def fresh_items(batches):
    seen = []
    fresh = []
    for batch in batches:
        fresh.append([x for x in batch if x not in seen])
        for x in batch:
            seen.append(x)
    return fresh, len(seen)
"""


def test_seen_list_gets_a_set_beside_it() -> None:
    """The list stays (it is returned); the set is reset with it and fed after every append."""
    code = applied("OPT027", SOURCE, "first_seen")
    assert "    seen = []  # order matters to the caller\n    seen_set = set()\n" in code
    assert "        if word not in seen_set:\n" in code
    assert "            seen_set.add(seen[-1])\n" in code
    assert "    return seen\n" in code


def test_comprehension_tests_read_the_set() -> None:
    code = applied("OPT027", COMPREHENSION, "fresh_items")
    assert "if x not in seen_set]" in code and "seen_set.add(seen[-1])" in code


def test_other_mutation_aliasing_or_nested_use_is_left_alone() -> None:
    """Anything that could change the list without the set knowing blocks the rule."""
    mutated = SOURCE.replace("    return seen\n", "        seen.sort()\n    return seen\n")
    aliased = SOURCE.replace("    return seen\n", "    other = seen\n    return other\n")
    escapes = SOURCE.replace("    return seen\n", "    register(seen)\n    return seen\n")
    nested = SOURCE.replace("    return seen\n", "    return lambda: seen\n")
    rebound = SOURCE.replace("    seen = []", "    seen = list(words[:1])")
    extended = SOURCE.replace("seen.append(word.lower() if word.isupper() else word)", "seen += [word]")
    not_in_loop = "def f(xs, x):\n    seen = []\n    seen.append(x)\n    return x in seen\n"
    for source in (mutated, aliased, escapes, nested, rebound, extended, not_in_loop):
        assert apply("OPT027", source, source.split("(")[0].split()[-1]) is None, source


def test_a_name_already_taken_gets_a_fresh_one() -> None:
    taken = SOURCE.replace(
        "    return seen\n", "    seen_set = 'mine'\n    print(seen_set)\n    return seen\n"
    )
    code = applied("OPT027", taken, "first_seen")
    assert "seen_set2 = set()" in code and "seen_set = 'mine'" in code


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(["a", "B", "b", "C", "cc", "A"]), max_size=30))
def test_same_result_as_the_list_version(words: list[str]) -> None:
    original, rewritten = pair("OPT027", SOURCE, "first_seen")
    assert original(words) == rewritten(words)


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.lists(st.integers(0, 6), max_size=6), max_size=6))
def test_same_result_with_comprehensions(batches: list[list[int]]) -> None:
    original, rewritten = pair("OPT027", COMPREHENSION, "fresh_items")
    assert original(batches) == rewritten(batches)
