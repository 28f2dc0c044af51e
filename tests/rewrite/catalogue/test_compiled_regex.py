"""OPT008: regex literal in a function -> module-level compiled pattern."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
import re


def parse(lines):
    out = []
    for line in lines:
        m = re.match(r"(\\d+)-(\\d+)", line)
        words = re.split(r"\\s+", line, maxsplit=1, flags=re.I)
        out.append((m.groups() if m else None, words, re.sub("a", "b", line, 1, re.I)))
    return out
"""


def test_patterns_are_compiled_once_after_the_imports() -> None:
    """Each literal gets a constant after `import re`, with flags moved into re.compile."""
    result = applied("OPT008", SOURCE, "parse")
    assert result.startswith('import re\n_PATTERN_1 = re.compile(r"(\\d+)-(\\d+)")\n')
    assert '_PATTERN_2 = re.compile(r"\\s+", re.I)' in result
    assert '_PATTERN_3 = re.compile("a", re.I)' in result
    assert "m = _PATTERN_1.match(line)" in result
    assert "_PATTERN_2.split(line, maxsplit=1)" in result and '_PATTERN_3.sub("b", line, 1)' in result


def test_no_import_re_dynamic_pattern_or_module_level_call_give_no_candidate() -> None:
    """Without `import re`, with a non-literal pattern, or outside functions nothing changes."""
    assert apply("OPT008", "from re import match\ndef f(s):\n    return match('a', s)\n", "f") is None
    assert apply("OPT008", "import re\ndef f(p, s):\n    return re.match(p, s)\n", "f") is None
    assert apply("OPT008", "import re\nX = re.match('a', 'abc')\n", "<program>") is None


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.lists(st.text(alphabet="12-aAb ", max_size=8), max_size=6))
def test_results_equal(lines: list[str]) -> None:
    """The compiled patterns match, split and substitute exactly like the re functions."""
    original, rewritten = pair("OPT008", SOURCE, "parse")
    assert original(lines) == rewritten(lines)


def test_compile_of_a_literal_in_a_function_becomes_the_constant() -> None:
    """re.compile(LITERAL, FLAGS) inside a function is the module-level pattern itself."""
    source = "import re\ndef f(s):\n    return re.compile(r'a+', re.I | re.M).findall(s)\n"
    result = applied("OPT008", source, "f")
    assert "_PATTERN_1 = re.compile(r'a+', re.I | re.M)\n" in result
    assert "return _PATTERN_1.findall(s)" in result


def test_flags_that_are_not_constants_are_refused() -> None:
    """A flags variable (a parameter here) cannot be evaluated at import time; re.DEBUG compiles anew each call."""
    assert apply("OPT008", "import re\ndef f(s, fl):\n    return re.match('a', s, fl)\n", "f") is None
    assert (
        apply("OPT008", "import re\ndef f(s, fl):\n    return re.sub('a', 'b', s, flags=fl)\n", "f") is None
    )
    assert apply("OPT008", "import re\ndef f(s):\n    return re.match('a', s, re.DEBUG)\n", "f") is None
    assert apply("OPT008", "import re\ndef f(fl):\n    return re.compile('a', fl)\n", "f") is None


def test_a_rebound_re_or_an_f_string_pattern_is_refused() -> None:
    """`re` must mean the module in every scope; a pattern with an f-string part is not a literal."""
    shadowing = (
        "import re\ndef f(s, re):\n    return re.match('a', s)\n",
        "import re\nre = None\ndef f(s):\n    return re.match('a', s)\n",
        "import re\ndef g():\n    global re\n    re = None\ndef f(s):\n    return re.match('a', s)\n",
        "import re\ndef f(s):\n    import re._parser\n    return re.match('a', s)\n",
        "import re\nfrom helpers import *\ndef f(s):\n    return re.match('a', s)\n",
        "import re\ndef f(s):\n    for re in s:\n        pass\n    return re.match('a', s)\n",
    )
    for source in shadowing:
        assert apply("OPT008", source, "f") is None, source
    assert apply("OPT008", "import re\ndef f(s, x):\n    return re.match('a' f'{x}', s)\n", "f") is None
