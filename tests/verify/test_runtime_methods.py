"""Receivers holding bound methods that a constructor put on the class at run time (pycparser's
PLY grammar: `_create_opt_rule` sets `p_<rule>_opt` functions on the parser class) load in the check
job, where no constructor has run yet: their captured calls are inputs, not "needs captured instances"."""

from __future__ import annotations

from pathlib import Path

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.verdicts import Equivalent

from .workload_capture import capture, check_captured, write_project

GRAMMAR = """
class Grammar:
    def __init__(self, rules):
        for rule in rules:
            self._create_opt_rule(rule)
        self.table = {rule: getattr(self, "p_" + rule + "_opt") for rule in rules}

    def _create_opt_rule(self, rulename):
        def optrule(self, p):
            p[0] = p[1] if len(p) > 1 else None

        optrule.__name__ = "p_%s_opt" % rulename
        setattr(self.__class__, optrule.__name__, optrule)

    def reduce(self, rule, items):
        p = [None, *items]
        self.table[rule](p)
        return p[0]
"""

BENCH = """
from pkg.grammar import Grammar

grammar = Grammar(["expr", "decl"])
for i in range(30):
    print(grammar.reduce("expr" if i % 2 else "decl", list(range(i % 4))))
"""


def test_a_receiver_with_runtime_methods_is_replayed(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write_project(root, {"pkg/__init__.py": "", "pkg/grammar.py": GRAMMAR, "bench.py": BENCH})
    index = capture(root, "bench.py")
    sandbox = LocalSandbox()
    try:
        [outcome] = check_captured(
            sandbox, root, "pkg/grammar.py::Grammar.reduce", index, [GRAMMAR], self_check=True
        )
    finally:
        sandbox.close()
    assert outcome.self_check == "equivalent", outcome
    assert isinstance(outcome.verdict, Equivalent) and outcome.verdict.checked.get("captured", 0) > 0, outcome
