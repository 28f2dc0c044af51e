"""Every hot function a workload runs is a target: dunder methods written in a class body,
functions nested in another (named as the compiler names them), and functions taking no
arguments; a program entry point (`main`) and generated dunders are not (issue 11)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.services.discovery import discover, rank_static
from optiagent.services.layout import build_layout
from optiagent.services.profiling import profile_workload, rank_from_profile

MODULE = '''
from dataclasses import dataclass

TABLE = tuple(range(400))


def squares():
    """No arguments: reads a module table."""
    return [x * x for x in TABLE if x % 7]


class Grid:
    def __init__(self, cells):
        self.cells = [list(row) for row in cells]

    def __iter__(self):
        for row in self.cells:
            yield from row

    def __len__(self):
        return sum(1 for _ in self)


@dataclass
class Point:
    x: int
    y: int


def total(grid):
    seen = 0

    def add(value):
        nonlocal seen
        seen += value
        return seen

    return [add(v) for v in grid][-1]


def main():
    grid = Grid([TABLE[i : i + 20] for i in range(0, 400, 20)])
    for _ in range(60):
        squares()
        total(grid)
        len(grid)
        Point(1, 2) == Point(1, 2)
'''


@pytest.fixture(scope="module")
def ranked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("kinds")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "grid.py").write_text(textwrap.dedent(MODULE))
    (root / "bench.py").write_text("import pkg.grid\n\npkg.grid.main()\n")
    box = LocalSandbox()
    try:
        layout = build_layout(root / "pkg", root, sys.executable, "--python", "python bench.py")
        profile = profile_workload(box, layout, "python bench.py", timeout_s=120)
    finally:
        box.close()
    assert not profile.failed, profile.stderr_tail
    targets, left_out = rank_from_profile(profile, discover(root / "pkg"))
    captured = {f.qualname: f.captured_calls for f in profile.functions}
    return {
        "targets": {t.qualname for t in targets},
        "left_out": {function.qualname: reason for function, reason in left_out},
        "captured": captured,
    }


def test_dunders_nested_and_zero_argument_functions_are_targets_with_captured_calls(
    ranked: dict[str, object],
) -> None:
    """Each new kind ranks as a target and has calls to check it on."""
    targets, captured = ranked["targets"], ranked["captured"]
    assert isinstance(targets, set) and isinstance(captured, dict)
    for qualname in ("squares", "Grid.__iter__", "Grid.__len__", "total.<locals>.add"):
        assert qualname in targets, (qualname, sorted(targets))
        assert captured[qualname] > 0, qualname


def test_main_and_generated_dunders_are_not_targets(ranked: dict[str, object]) -> None:
    """`main` drives the program; a dataclass's `__init__`/`__eq__` are not in the source."""
    targets, left_out = ranked["targets"], ranked["left_out"]
    assert isinstance(targets, set) and isinstance(left_out, dict)
    assert "main" not in targets and left_out.get("main") == "a program entry point (main)"
    assert not {name for name in targets if name.startswith("Point.")}


def test_static_ranking_leaves_nested_functions_to_workloads(tmp_path: Path) -> None:
    """Without a workload a nested function has no closure to call it with: not ranked."""
    (tmp_path / "m.py").write_text(
        "def outer(xs: list[int]) -> int:\n"
        "    def inner(x: int) -> int:\n"
        "        return x + 1\n"
        "    return sum(inner(x) for x in xs)\n"
    )
    names = [t.qualname for t in rank_static(discover(tmp_path), require_inputs=False)]
    assert names == ["outer"]
