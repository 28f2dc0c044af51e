"""Progress a person can follow: a live display on a terminal, plain timestamped lines otherwise.

Both listen to the services' progress events (`services.requests.ProgressListener` lists them)
and describe each the same way; the live display keeps one line per running target, the plain
one prints a line per stage event (no carriage returns), so a CI log reads top to bottom.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import IO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

LLMUsage = Callable[[], tuple[int, int]]  # (calls, tokens spent) of the run so far
# Events too frequent for a line each unless asked (-v); the live display shows them in place.
_DETAIL = frozenset({"benchmark_pair"})
_STATUS_MARK = {"improved": "+", "unchanged": "=", "skipped": "-", "failed": "!"}


def _project(prefix: object) -> str:
    """' sub/project' for a sub-project of the run, '' for the run's root."""
    return "" if prefix in (None, "", ".") else f" {prefix}"


def _count(n: object, noun: str) -> str:
    return f"{n} {noun}" + ("" if str(n) == "1" else "s")


def _inputs(checked: object) -> str:
    if not isinstance(checked, Mapping) or not checked:
        return ""
    total = sum(int(n) for n in checked.values())
    by_source = ", ".join(f"{n} {source}" for source, n in sorted(checked.items()))
    return f" on {_count(total, 'input')} ({by_source})"


def _ci(value: object) -> str:
    if isinstance(value, list | tuple) and len(value) == 2:
        return f" (95% CI {float(value[0]):.2f}-{float(value[1]):.2f})"
    return ""


class EventText:
    """The one-line description of each event, with what it counts across events (k of n)."""

    def __init__(self) -> None:
        self.benchmarked: dict[str, int] = {}  # target -> candidates benchmarked so far
        self.to_benchmark: dict[str, int] = {}  # target -> equivalent, distinct candidates

    def describe(self, name: str, f: Mapping[str, object]) -> str | None:
        target = f.get("target", "")
        project = _project(f.get("project"))
        if name == "workload_started":
            return f"profiling{project}: {f.get('command')}"
        if name == "workload_profiled":
            if f.get("failed"):
                return f"profiled{project}: the workload failed"
            seconds = float(str(f.get("seconds") or 0))
            return f"profiled{project} in {seconds:.1f} s: {_count(f.get('functions'), 'function')} ran"
        if name == "project_targets":
            return f"{project.strip() + ': ' if project else ''}{_count(f.get('targets'), 'target')}, hottest first"
        if name == "budget":
            left = f.get("seconds_left")
            budget = f", {float(str(left)):.0f} s of the time budget left" if left is not None else ""
            return f"target {int(str(f.get('done'))) + 1} of {f.get('total')}{budget}"
        if name == "target_generating":
            strategies = f.get("strategies")
            listed = ", ".join(str(s) for s in strategies) if isinstance(strategies, list) else ""
            return f"{target}: proposing candidates ({listed})"
        if name == "target_started":
            return f"{target}: {_count(f.get('candidates'), 'candidate')} proposed"
        if name == "target_checking":
            return f"{target}: checking {_count(f.get('candidates'), 'candidate')} against the original"
        if name == "target_checked":
            distinct = int(str(f.get("equivalent") or 0)) - int(str(f.get("duplicates") or 0))
            self.to_benchmark[str(target)], self.benchmarked[str(target)] = max(distinct, 0), 0
            cached = f", {f.get('cached')} verdicts from cache" if f.get("cached") else ""
            return (
                f"{target}: {f.get('equivalent')} of {f.get('candidates')} equivalent"
                f"{_inputs(f.get('inputs'))}{cached}"
            )
        if name == "benchmark_started":
            key = str(target)
            self.benchmarked[key] = self.benchmarked.get(key, 0) + 1
            of = max(self.to_benchmark.get(key, 0), self.benchmarked[key])
            return f"{target}: benchmarking {f.get('candidate')} (candidate {self.benchmarked[key]} of {of})"
        if name == "benchmark_pair":
            return f"{target}: benchmark pair {f.get('pair')} of at most {f.get('pairs')}"
        if name == "candidate_measured":
            verdict = "accepted" if f.get("accepted") else "not accepted"
            return (
                f"{target}: {f.get('candidate')} {float(str(f.get('speedup'))):.2f}x{_ci(f.get('ci'))} "
                f"after {f.get('pairs')} pairs: {verdict}"
            )
        if name == "target_done":
            speed = f" {float(str(f['speedup'])):.2f}x" if f.get("speedup") else ""
            return f"{target}: {f.get('status')}{speed}{_ci(f.get('ci')) if speed else ''}"
        if name == "file_composed":
            dropped = f", {f.get('dropped')} left out" if f.get("dropped") else ""
            return f"{f.get('file')}: {_count(f.get('edits'), 'edit')} composed into one text{dropped}"
        return _describe_synthesis(name, f)


def _describe_synthesis(name: str, f: Mapping[str, object]) -> str | None:
    llm = (
        f" ({f.get('llm_calls')} LLM calls, {f.get('llm_tokens')} tokens so far)" if "llm_calls" in f else ""
    )
    if name == "synthesis_started":
        strategies = f.get("strategies")
        listed = ", ".join(str(s) for s in strategies) if isinstance(strategies, list) else ""
        return f"{f.get('target')}: writing candidate bodies ({listed})"
    if name == "synthesis_candidates":
        return f"{f.get('candidates')} candidate implementations written{llm}"
    if name == "synthesis_tests":
        return f"{f.get('tests')} tests from the docstring and the specification{llm}"
    if name == "synthesis_judged":
        return f"{f.get('usable')} usable candidates; the best passes {f.get('passed')} of {f.get('tests')} tests (B4)"
    if name == "synthesis_optimizing":
        return f"{f.get('target')}: optimizing the synthesized body"
    return None


def _usage_text(usage: LLMUsage | None) -> str:
    if usage is None:
        return ""
    calls, tokens = usage()
    return f"LLM {calls} calls, {tokens:,} tokens" if calls else ""


class PlainProgress:
    """One timestamped line per stage event on a stream: what CI logs and pipes get."""

    def __init__(self, stream: IO[str], verbose: bool = False, llm_usage: LLMUsage | None = None) -> None:
        self._stream = stream
        self._verbose = verbose
        self._usage = llm_usage
        self._text = EventText()
        self._lock = threading.Lock()

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def event(self, name: str, **fields: object) -> None:
        with self._lock:
            line = self._text.describe(name, fields)
            if line is None or (name in _DETAIL and not self._verbose):
                return
            if name in ("target_started", "target_done"):
                usage = _usage_text(self._usage)
                line += f" [{usage}]" if usage else ""
            self._stream.write(f"{datetime.now():%H:%M:%S} {line}\n")
            self._stream.flush()


class LiveProgress:
    """A live display on a terminal: the run's state, one line per running target, and a line
    above it for each finished target."""

    def __init__(self, console: Console, llm_usage: LLMUsage | None = None) -> None:
        self._console = console
        self._usage = llm_usage
        self._text = EventText()
        self._lock = threading.Lock()
        self._stage = "starting"
        self._targets_total = 0
        self._targets_done = 0
        self._deadline: float | None = None
        self._running: dict[str, tuple[str, float]] = {}  # target -> what it is doing, since when
        self._spinner = Spinner("dots")
        self._live = Live(console=console, transient=True, refresh_per_second=4, get_renderable=self._render)

    def __enter__(self) -> LiveProgress:
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.stop()

    def event(self, name: str, **fields: object) -> None:
        finished = None
        with self._lock:
            line = self._text.describe(name, fields)
            target = str(fields.get("target", ""))
            if name == "project_targets":
                self._targets_total += int(str(fields.get("targets") or 0))
            elif name == "budget" and fields.get("seconds_left") is not None:
                self._deadline = time.monotonic() + float(str(fields["seconds_left"]))
            if name == "target_done":
                self._targets_done += 1
                self._running = {k: v for k, v in self._running.items() if not target.endswith(k)}
                finished = f"{_STATUS_MARK.get(str(fields.get('status')), ' ')} {line}"
            elif name == "budget":
                pass  # shown as targets k/n and the seconds left, counting down
            elif name.startswith(("workload_", "synthesis_")) or name == "project_targets" or not target:
                self._stage = line or self._stage
            elif line is not None:
                doing = line.removeprefix(f"{target}: ")
                since = time.monotonic()
                if name == "benchmark_pair" and target in self._running:
                    doing = f"{self._running[target][0].split(', pair ')[0]}, pair {fields.get('pair')}"
                    doing += f" of at most {fields.get('pairs')}"
                    since = self._running[target][1]
                self._running[target] = (doing, since)
        if finished is not None:  # outside our lock: printing takes the display's lock
            self._console.print(Text(finished), highlight=False)

    def _render(self) -> RenderableType:
        with self._lock:
            facts = []
            if self._targets_total:
                facts.append(f"targets {self._targets_done}/{self._targets_total}")
            if self._deadline is not None:
                facts.append(f"budget {max(0.0, self._deadline - time.monotonic()):.0f} s left")
            usage = _usage_text(self._usage)
            if usage:
                facts.append(usage)
            head = Table.grid(padding=(0, 1))
            head.add_row(self._spinner, Text(self._stage, overflow="ellipsis", no_wrap=True))
            lines: list[RenderableType] = [head]
            if facts:
                lines.append(Text("  " + " | ".join(facts), style="dim", no_wrap=True, overflow="ellipsis"))
            now = time.monotonic()
            for target, (doing, since) in self._running.items():
                row = Text("  ", no_wrap=True, overflow="ellipsis")
                row.append(f"{target}: ", style="bold")
                row.append(f"{doing} ({now - since:.0f} s)")
                lines.append(row)
            return Group(*lines)


class NoProgress:
    """--quiet: nothing until the summary."""

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def event(self, name: str, **fields: object) -> None:
        return None


def open_progress(
    console: Console, quiet: bool, verbose: bool, llm_usage: LLMUsage | None = None
) -> LiveProgress | PlainProgress | NoProgress:
    """The display for this run: none with --quiet, live on a terminal, plain lines otherwise."""
    if quiet:
        return NoProgress()
    if console.is_terminal and not console.is_dumb_terminal:
        return LiveProgress(console, llm_usage)
    return PlainProgress(console.file, verbose, llm_usage)
