"""The terminal report of a real run fits 80 and 200 columns and keeps its key facts."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from optiagent.cli.render import fits_table, render_report
from optiagent.domain.report import TargetStatus
from tests.cli.small_project import SmallRun

pytestmark = pytest.mark.slow
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-7]|38;[0-9;]+|9[0-7])m")


def rendered(run: SmallRun, width: int, **options: bool) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    render_report(console, run.report, show_diffs=True, **options)
    return console.export_text()


def improved(run: SmallRun) -> list[str]:
    targets = [t for t in run.report.targets if t.status is TargetStatus.IMPROVED]
    assert targets, [(t.qualname, t.reason) for t in run.report.targets]
    return [f"{t.file}::{t.qualname}" for t in targets]


@pytest.mark.parametrize("width", [80, 200])
def test_no_line_is_wider_than_the_terminal_and_the_facts_are_there(small_run: SmallRun, width: int) -> None:
    """At 80 and 200 columns: every line fits, and each improved target's name, speedup, interval,
    rule with its explanation, inputs checked and diff are on the page."""
    text = rendered(small_run, width)
    assert max(len(line) for line in text.splitlines()) <= width
    for name in improved(small_run):
        assert name in text  # never folded across lines
    for target in small_run.report.targets:
        if target.status is TargetStatus.IMPROVED:
            assert target.speedup is not None and target.ci is not None
            assert f"{target.speedup:.2f}x" in text
            assert f"{target.ci[0]:.2f}-{target.ci[1]:.2f}" in text
            assert target.rules and all(rule in text for rule in target.rules)
            assert "set built once before the loop" in text  # OPT002's one-line explanation
            assert "inputs" in text and "captured" in text
    assert "--- a/slow.py" in text and "+++ b/slow.py" in text
    assert "targets improved" in text


def test_narrow_terminals_get_blocks_and_wide_ones_a_table(small_run: SmallRun) -> None:
    """Below 100 columns there is no table to wrap; at 200 the targets are a table."""
    tried = [t for t in small_run.report.targets if t.status is not TargetStatus.NOT_TARGET]
    assert not fits_table(tried, 80) and fits_table(tried, 200)
    assert "┃" not in rendered(small_run, 80)
    assert "┃" in rendered(small_run, 200)


def test_quiet_prints_only_the_summary(small_run: SmallRun) -> None:
    """--quiet: one line, the summary."""
    lines = rendered(small_run, 80, quiet=True).strip().splitlines()
    assert len(lines) == 1 and "targets improved" in lines[0]


def test_verbose_lists_each_assumption_with_its_discharge(small_run: SmallRun) -> None:
    """By default a rule's assumptions are counted by how they were discharged; -v lists each."""
    assert "conditions, " in rendered(small_run, 80)
    verbose = rendered(small_run, 80, verbose=True)
    assert "conditions, " not in verbose
    assert "hashable" in verbose


def test_diffs_are_coloured_on_a_terminal_unless_no_color(
    small_run: SmallRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A terminal gets coloured diff lines; NO_COLOR set, the same report has no colour codes."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = io.StringIO()
    render_report(Console(file=out, width=80, force_terminal=True), small_run.report, show_diffs=True)
    assert COLOUR.search(out.getvalue())
    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    render_report(Console(file=out, width=80, force_terminal=True), small_run.report, show_diffs=True)
    assert not COLOUR.search(out.getvalue())
    assert "+++ b/slow.py" in out.getvalue()
