"""Malformed model output becomes a clear reason, never a crash; good output splices cleanly."""

from __future__ import annotations

import ast

import pytest

from optiagent.agents.parsing import (
    DraftError,
    code_lines,
    draft_module,
    parse_string_list,
    restore_docstring,
)
from optiagent.agents.strategies.rewoo import execute, parse_plan

MODULE = '''import math


def helper(x: int) -> int:
    return x + 1


def slow(n: int) -> int:
    """Sum of helper over range(n)."""
    return sum(helper(i) for i in range(n))


class Box:
    def size(self, items: list[int]) -> int:
        return len([i for i in items])
'''


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("Just use a formula.", "no ```python code block"),
        ("```python\ndef fast(n):\n    return n\n```", "no function named `slow`"),
        ("```python\ndef slow(n:\n    return [\n```", "syntax error"),
        ("```python\ndef slow(n, m):\n    return n\n```", "changed the signature"),
        ("```python\ndef slow(n: int) -> int:\n    raise NotImplementedError\n```", "left unimplemented"),
        (
            "```python\ndef slow(n):\n    return h(n)\n\ndef h(n):\n    ...\n```",
            "helpers left unimplemented: h",
        ),
        (
            "```python\ndef slow(n):\n    return helper(n)\n\ndef helper(x):\n    return 0\n```",
            "would replace",
        ),
    ],
)
def test_unusable_answers_say_why(answer: str, reason: str) -> None:
    with pytest.raises(DraftError, match=reason.replace("(", r"\(")):
        draft_module(MODULE, "slow", answer)


def test_a_usable_answer_replaces_only_the_target_and_adds_helpers_and_imports() -> None:
    answer = (
        "Sure:\n```python\nfrom functools import cache\n\n\ndef _closed(n: int) -> int:\n"
        "    return n * (n + 1) // 2\n\n\ndef slow(n: int) -> int:\n    return _closed(n) if n > 0 else 0\n```"
    )
    module = draft_module(MODULE, "slow", answer)
    tree = ast.parse(module)
    names = [getattr(node, "name", None) for node in tree.body]
    assert names.index("_closed") < names.index("slow")
    assert "from functools import cache" in module
    assert "def helper(x: int) -> int:\n    return x + 1" in module  # untouched
    assert module.count("def slow") == 1


def test_a_method_is_spliced_into_its_class_with_its_indentation() -> None:
    answer = "```python\ndef size(self, items: list[int]) -> int:\n    return len(items)\n```"
    module = draft_module(MODULE, "Box.size", answer)
    assert "class Box:\n    def size(self, items: list[int]) -> int:\n        return len(items)\n" in module


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('```python\n["a", "b"]\n```', ["a", "b"]),
        ("Here you go: ['x']", None),  # prose around a list is not a list
        ('["only one"]', ["only one"]),
        ("```python\n{'a': 1}\n```", None),
        ("```python\n[1, 2]\n```", None),
        ("```python\n__import__('os').system('x')\n```", None),  # never evaluated
    ],
)
def test_observation_lists_are_literals_of_strings(text: str, expected: list[str] | None) -> None:
    if expected is None:
        with pytest.raises(DraftError):
            parse_string_list(text)
    else:
        assert parse_string_list(text) == expected


def test_code_lines_skip_comments_and_blank_lines() -> None:
    assert code_lines("```python\n# calls\nf(1)\n\nf(2)\n```") == ["f(1)", "f(2)"]


def test_restore_docstring_puts_the_requirement_back() -> None:
    original = 'def f(x):\n    """Twice x.\n\n    >>> f(2)\n    4\n    """\n    ...\n'
    assert restore_docstring("def f(x):\n    return 2 * x\n", original).startswith(
        'def f(x):\n    """Twice x.\n\n    >>> f(2)\n    4\n    """\n    return 2 * x'
    )
    kept = 'def f(x):\n    """Doc."""\n    return x\n'
    assert restore_docstring(kept, "def f(x):\n    ...\n") == kept  # nothing to restore


def test_rewoo_plans_parse_any_variable_number_and_substitute_earlier_evidence() -> None:
    plan = "\n".join(
        [f"Plan: step {k}\n#E{k} = Literal{k}" for k in range(1, 11)]
        + ["Plan: combine\n#E11 = Echo[#E10 and #E2 and #E12]", "Plan: unknown\n#E12 = Nope[x]"]
    )
    steps = parse_plan(plan)
    assert [s.variable for s in steps][:2] == ["#E1", "#E2"] and len(steps) == 8  # bounded

    class Echo:
        def call(self, tool: str, argument: str) -> str:
            return f"{tool}:{argument}" if tool == "Echo" else "No evidence found"

    few = parse_plan("#E1 = 7\n#E2 = Echo[#E1 and #E3]\n#E3 = Nope[x]")
    evidence = execute(few, Echo())  # type: ignore[arg-type]
    assert evidence == {"#E1": "7", "#E2": "Echo:[7] and #E3", "#E3": "No evidence found"}
