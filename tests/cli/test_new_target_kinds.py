"""`optimize --apply` end to end on the newer kinds of target: a dunder method (`__and__`), a
function nested in another (given to nobody but its enclosing function) and a function taking no
arguments. Each is found in the workload's profile, captured (a receiver, a closure, an empty
call), validated (the original agrees with itself), benchmarked, composed and written; the
workload prints the same afterwards (issue 11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CONFIG = '[tool.optiagent]\nworkload = "python workload.py"\n'

WORDS = '''\
"""A small word toolkit: hot spots in a dunder, a nested function and a function of no arguments."""

LEFT = tuple(range(0, 9000, 2))
RIGHT = list(range(0, 9000, 3))


def overlap():
    """The even numbers below 9000 that are multiples of three, by scanning."""
    out = []
    for x in LEFT:
        if x in RIGHT:
            out.append(x)
    return out


class Bag:
    def __init__(self, words):
        self.words = list(words)

    def __and__(self, other):
        out = []
        for x in self.words:
            if x in other:
                out.append(x)
        return out


def shared(groups):
    """For each (xs, ys): the items of xs also in ys, in order."""
    calls = 0

    def common(xs, ys):
        nonlocal calls
        calls += 1
        out = []
        for x in xs:
            if x in ys:
                out.append(x)
        return out

    found = [common(a, b) for a, b in groups]
    return found, calls
'''

WORKLOAD = """\
import random

from words import Bag, overlap, shared

rng = random.Random(5)
print(len(overlap()), overlap()[-3:])
bag = Bag(rng.randrange(6000) for _ in range(3000))
print(len(bag & [rng.randrange(6000) for _ in range(2000)]))
groups = [([rng.randrange(3000) for _ in range(2000)], [rng.randrange(3000) for _ in range(1000)]) for _ in range(4)]
found, calls = shared(groups)
print(sum(len(c) for c in found), calls)
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), capture_output=True, text=True, cwd=cwd, timeout=900, check=False, env={**os.environ}
    )


def test_a_dunder_a_nested_function_and_a_zero_argument_function_are_improved_and_written(
    tmp_path: Path,
) -> None:
    """All three are improved and applied; the nested def is replaced inside its enclosing function."""
    root = tmp_path / "words"
    root.mkdir()
    (root / "pyproject.toml").write_text(CONFIG)
    (root / "words.py").write_text(WORDS)
    (root / "workload.py").write_text(WORKLOAD)
    before = run(sys.executable, "workload.py", cwd=root).stdout
    report_file = tmp_path / "report.json"
    done = run(
        sys.executable, "-m", "optiagent.cli", "optimize", str(root), "--apply", "--sandbox", "local",
        "--strategy", "catalogue", "--json", str(report_file),
        # the enclosing `shared` would get the same rewrite of `common` (its whole body is its
        # region): the three kinds alone, so the nested edit itself is the one composed
        "--function", "overlap", "--function", "Bag.__and__", "--function", "shared.<locals>.common",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    targets = {t["qualname"]: t for t in json.loads(report_file.read_text())["targets"]}
    for qualname in ("overlap", "Bag.__and__", "shared.<locals>.common"):
        target = targets[qualname]
        assert target["status"] == "improved", (qualname, target["reason"])
        assert target["self_check"] == "equivalent" and target["applied"], target
    text = (root / "words.py").read_text()
    assert "RIGHT_set" in text and "other_set" in text and "ys_set" in text
    assert "    calls = 0\n\n    def common(xs, ys):\n        nonlocal calls\n" in text  # the rest kept
    assert run(sys.executable, "workload.py", cwd=root).stdout == before
