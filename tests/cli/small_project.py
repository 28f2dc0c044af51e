"""A small real project for the CLI output tests, and what a run of it records."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from optiagent.domain.report import Report

SLOW_MODULE = '''\
def common(xs: list[int], ys: list[int]) -> list[int]:
    """Items of xs that are also in ys, in order."""
    out = []
    for x in xs:
        if x in ys:
            out.append(x)
    return out
'''
WORKLOAD = """\
from slow import common

xs = list(range(2000))
ys = list(range(0, 4000, 2))
for _ in range(3):
    common(xs, ys)
"""


def write_small_project(root: Path) -> Path:
    """slow.py with a list-membership loop (OPT002 makes it far faster) and a workload using it."""
    root.mkdir(parents=True)
    (root / "slow.py").write_text(SLOW_MODULE)
    (root / "workload.py").write_text(WORKLOAD)
    (root / "pyproject.toml").write_text('[tool.optiagent]\nworkload = "python workload.py"\n')
    return root


@dataclass
class RecordingProgress:
    events: list[tuple[str, dict[str, object]]] = field(default_factory=list)

    def event(self, name: str, **fields: object) -> None:
        self.events.append((name, fields))


@dataclass(frozen=True)
class SmallRun:
    report: Report
    events: list[tuple[str, dict[str, object]]]
