"""Progress of a real run: every stage is reported, as plain lines without a terminal and as a live
display with one; Ctrl-C stops the workers at their next event and waits for deferred writes."""

from __future__ import annotations

import io
import re
import signal
import threading

import pytest
from rich.console import Console

from optiagent.cli.interrupts import Interruption
from optiagent.cli.progress import LiveProgress, NoProgress, PlainProgress, open_progress
from tests.cli.small_project import RecordingProgress, SmallRun

STAGES = {
    "workload_started",
    "workload_profiled",
    "project_targets",
    "budget",
    "target_generating",
    "target_started",
    "target_checking",
    "target_checked",
    "benchmark_started",
    "benchmark_pair",
    "candidate_measured",
    "target_done",
}
TIMESTAMPED = re.compile(r"^\d\d:\d\d:\d\d \S")


@pytest.mark.slow
def test_a_run_reports_every_stage_with_its_counts(small_run: SmallRun) -> None:
    """Profiling, generation, checking (inputs by source), each benchmark pair and each measurement."""
    names = [name for name, _ in small_run.events]
    assert set(names) >= STAGES
    checked = [fields for name, fields in small_run.events if name == "target_checked"]
    inputs = [f["inputs"] for f in checked]
    assert all(isinstance(i, dict) for i in inputs)
    assert any(sum(i.values()) > 0 for i in inputs if isinstance(i, dict))
    pairs = [(f["pair"], f["pairs"]) for name, f in small_run.events if name == "benchmark_pair"]
    assert all(1 <= int(str(k)) <= int(str(n)) for k, n in pairs)
    measured = [f for name, f in small_run.events if name == "candidate_measured"]
    assert measured and all(int(str(f["pairs"])) > 0 for f in measured)


@pytest.mark.slow
def test_plain_lines_are_timestamped_one_per_stage_event(small_run: SmallRun) -> None:
    """Without a terminal: one timestamped line per stage event, no carriage returns; benchmark
    pairs only with -v."""
    out = io.StringIO()
    with PlainProgress(out) as progress:
        for name, fields in small_run.events:
            progress.event(name, **fields)
    text = out.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert all(TIMESTAMPED.match(line) for line in lines)
    assert not any("benchmark pair" in line for line in lines)
    assert any("profiling" in line for line in lines)
    assert any(re.search(r"equivalent on \d+ inputs? \(", line) for line in lines)
    assert any(re.search(r"benchmarking \S+ \(candidate 1 of \d+\)", line) for line in lines)
    assert any("95% CI" in line for line in lines)
    verbose = io.StringIO()
    with PlainProgress(verbose, verbose=True) as progress:
        for name, fields in small_run.events:
            progress.event(name, **fields)
    assert re.search(r"benchmark pair 1 of at most \d+", verbose.getvalue())


@pytest.mark.slow
def test_the_live_display_prints_each_finished_target(small_run: SmallRun) -> None:
    """On a terminal the live region is transient; each finished target stays as one line."""
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80, color_system=None)
    with LiveProgress(console, llm_usage=lambda: (3, 1200)) as progress:
        for name, fields in small_run.events:
            progress.event(name, **fields)
    done = [f for name, f in small_run.events if name == "target_done"]
    for fields in done:
        assert f"{fields['target']}: {fields['status']}" in out.getvalue()


def test_the_display_follows_the_terminal_and_quiet() -> None:
    """--quiet: none; a terminal: live; a pipe: plain lines."""
    pipe = Console(file=io.StringIO())
    terminal = Console(file=io.StringIO(), force_terminal=True)
    assert isinstance(open_progress(pipe, quiet=True, verbose=False), NoProgress)
    assert isinstance(open_progress(pipe, quiet=False, verbose=False), PlainProgress)
    assert isinstance(open_progress(terminal, quiet=False, verbose=False), LiveProgress)


def test_after_an_interrupt_every_worker_stops_at_its_next_event() -> None:
    """Once interrupted, a progress event raises KeyboardInterrupt in whatever thread reports it."""
    interruption = Interruption()
    listener = interruption.listener(RecordingProgress())
    listener.event("target_started", target="a")
    interruption.stop.set()
    raised: list[BaseException] = []

    def worker() -> None:
        try:
            listener.event("benchmark_pair", target="a", pair=1, pairs=18)
        except BaseException as error:
            raised.append(error)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert raised and isinstance(raised[0], KeyboardInterrupt)


def test_an_interrupt_during_deferred_writes_waits_for_them() -> None:
    """SIGINT inside `deferred()` is raised only after the block completes."""
    finished = []
    with Interruption().installed() as interruption:
        with pytest.raises(KeyboardInterrupt), interruption.deferred():
            signal.raise_signal(signal.SIGINT)
            finished.append("write")
        assert finished == ["write"]
        assert interruption.stop.is_set()  # the run's workers stop too
