"""OPT034: repeated reads of one regex match's group -> one read with :=, then the local."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
import re

WORD = re.compile(r"([a-z]+)(\\d)?")
CODES = {"%d": "DD", "%m": "MM"}


def render(text):
    def repl(match):
        if match.group(0) in CODES:
            return CODES[match.group(0)]
        elif match.group(0) == "%%":
            return "%"
        return match.group(0)

    return re.sub("%d|%m|%%|%Y", repl, text)


def words(text):
    out = []
    for m in WORD.finditer(text):
        if m.group(2) or m.group(1) == "x":
            out.append((m.group(1), m.span(), m.span()))
        out.append(m.group(2))
    head = re.match(r"\\s*(\\w*)", text)
    return out, head.group(1), [head.group(1) for _ in out]
"""


def test_repeated_reads_share_one_local() -> None:
    """The first unconditional read binds with :=; the reads it dominates use the local."""
    result = applied("OPT034", SOURCE, "render")
    assert "if (match_group := match.group(0)) in CODES:" in result
    assert "return CODES[match_group]" in result and "elif match_group == " in result
    assert "        return match_group\n" in result
    result = applied("OPT034", SOURCE, "words")
    assert "if (m_group := m.group(2)) or m.group(1) == " in result  # after `or`: not always read
    assert "out.append((m.group(1), (m_span := m.span()), m_span))" in result
    assert "out.append(m_group)" in result
    assert "return out, (head_group := head.group(1)), [head_group for _ in out]" in result


def test_reads_that_could_differ_are_left_alone() -> None:
    """A rebound receiver, groupdict, a variable group, a receiver not proven a match: no candidate."""
    refused = (
        "import re\ndef f(a, b):\n    m = re.match('(a)', a)\n    x = m.group(1)\n"
        "    m = re.match('(a)', b)\n    return x, m.group(1)\n",
        "import re\ndef f(a):\n    m = re.match('(a)', a)\n    d = m.groupdict()\n    d['x'] = 1\n"
        "    return d, m.groupdict()\n",
        "import re\ndef f(a, i):\n    m = re.match('(a)', a)\n    return m.group(i), m.group(i)\n",
        "import re\ndef f(tok):\n    return tok.group(0), tok.group(0)\n",
        "import re\ndef f(a):\n    m = other.match(a)\n    return m.group(0), m.group(0)\n",
        "import re\ndef f(a, re):\n    m = re.match('a', a)\n    return m.group(0), m.group(0)\n",
        "import re\ndef f(a, x):\n    m = re.match('a', a)\n    y = x or m.group(0)\n    return y\n",
        "import re\ndef f(a):\n    m = re.match('a', a)\n    return m.group(0), (m.group(0) for _ in a)\n",
    )
    for source in refused:
        assert apply("OPT034", source, "f") is None, source


def test_only_the_callback_passed_to_sub_is_trusted() -> None:
    """Of two defs named repl, only the one this scope passes to re.sub has a Match parameter."""
    source = (
        "import re\n"
        "def f(s):\n    def repl(m):\n        return m.group(0) + m.group(0)\n    return re.sub('a', repl, s)\n"
        "def g(tok):\n    def repl(m):\n        return m.group(0) + m.group(0)\n    return repl(tok)\n"
    )
    assert "(m_group := m.group(0)) + m_group" in applied("OPT034", source, "f")
    assert apply("OPT034", source, "g") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.text(alphabet="%dmY ax1z", max_size=16))
def test_results_equal(text: str) -> None:
    """Sharing the reads gives the same substitutions and the same tuples."""
    for name in ("render", "words"):
        original, rewritten = pair("OPT034", SOURCE, name)
        assert original(text) == rewritten(text)
