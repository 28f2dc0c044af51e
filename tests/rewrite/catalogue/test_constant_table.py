"""OPT037: a lookup table of constants built on every call and only read -> one module-level dict."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
def superscript(text):
    exponents = {"0": "⁰", "1": "¹", "2": "²", "3": "³", "-": "⁻"}
    if len(exponents) < 5 or "x" in exponents:
        return None
    shown = [exponents.get(char, "?") for char in text]
    known = sorted(key for key in exponents if key in text)
    return "".join(shown), known, [exponents[c] for c in text if c in exponents.keys()]
"""


def test_the_table_is_built_once_at_module_level() -> None:
    result = applied("OPT037", SOURCE, "superscript")
    assert result.startswith('_EXPONENTS = {"0": "⁰", "1": "¹", "2": "²", "3": "³", "-": "⁻"}\n')
    assert "    exponents = _EXPONENTS\n" in result


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.text(alphabet="0123-x9", max_size=12))
def test_same_results(text: str) -> None:
    original, rewritten = pair("OPT037", SOURCE, "superscript")
    assert original(text) == rewritten(text)


def test_trap_a_table_that_is_changed_kept_or_passed_on_stays_per_call() -> None:
    """Shared across calls, a table a call changes (or hands out, where a caller may change it)
    would carry one call's change into the next: each of these keeps its own dict."""
    refused = (
        # mutated through a store, a method, del, augmented assignment
        "def f(k):\n    t = {'a': 1, 'b': 2, 'c': 3}\n    t[k] = 0\n    return t['a']\n",
        "def f(k):\n    t = {'a': 1, 'b': 2, 'c': 3}\n    t.pop(k, None)\n    return len(t)\n",
        "def f(k):\n    t = {'a': 1, 'b': 2, 'c': 3}\n    del t[k]\n    return len(t)\n",
        "def f(k):\n    t = {'a': 1, 'b': 2, 'c': 3}\n    t['a'] += k\n    return t['a']\n",
        # escapes: returned, passed to a function, stored, aliased
        "def f():\n    t = {'a': 1, 'b': 2, 'c': 3}\n    return t\n",
        "def f(g):\n    t = {'a': 1, 'b': 2, 'c': 3}\n    return g(t)\n",
        "def f(o):\n    t = {'a': 1, 'b': 2, 'c': 3}\n    o.table = t\n",
        "def f(k):\n    t = {'a': 1, 'b': 2, 'c': 3}\n    u = t\n    return u[k]\n",
        # identity
        "def f(o):\n    t = {'a': 1, 'b': 2, 'c': 3}\n    return o is t\n",
        # a mutable value inside, a non-constant entry, a spread
        "def f(k):\n    t = {'a': [], 'b': 2, 'c': 3}\n    return t[k]\n",
        "def f(k, v):\n    t = {'a': v, 'b': 2, 'c': 3}\n    return t[k]\n",
        "def f(k, m):\n    t = {'a': 1, 'b': 2, **m}\n    return t[k]\n",
        # bound twice, or in a nested scope too
        "def f(k):\n    t = {'a': 1, 'b': 2, 'c': 3}\n    if k:\n        t = {}\n    return t.get(k)\n",
        "def f(k):\n    t = {'a': 1, 'b': 2, 'c': 3}\n    def g():\n        nonlocal t\n        t = {}\n    return t.get(k)\n",
        # a `len` that is not the builtin could keep or change it
        "len = print\ndef f():\n    t = {'a': 1, 'b': 2, 'c': 3}\n    return len(t)\n",
        # too small to pay
        "def f(k):\n    t = {'a': 1, 'b': 2}\n    return t[k]\n",
    )
    for source in refused:
        assert apply("OPT037", source, "f") is None, source
