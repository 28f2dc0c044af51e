"""What a caller asks of a run, and how it hears about progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from optiagent.services.benchmarking import BenchmarkSettings
from optiagent.verify.jobs import CheckSettings

DEFAULT_TIME_BUDGET_S = 600.0


@dataclass(frozen=True)
class OptimizeRequest:
    root: Path
    workload: str | None = None
    functions: tuple[str, ...] = ()
    strategies: tuple[str, ...] = ()
    min_speedup: float | None = None
    python: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    stdin_cases: tuple[Path, ...] = ()
    max_targets: int | None = None  # an extra cap per project; the time budget is the main bound
    time_budget_s: float | None = DEFAULT_TIME_BUDGET_S  # the run's targets are started while time is left
    time_budget_explicit: bool = False  # given on the command line: overrides `time_budget` in config
    cwd: Path | None = None  # where the user ran optiagent: a --workload runs there (default: the process's)
    workload_timeout_s: float = 300.0
    workers: int = 2
    project_workers: int = 2  # sub-projects processed at once (benchmarks still one at a time)
    check: CheckSettings = field(default_factory=CheckSettings)
    bench: BenchmarkSettings = field(default_factory=BenchmarkSettings)
    repo: str | None = None  # identity in history and the report's root (default: the resolved root)
    # A stranger's files (a service job): each project's config and layout pass through
    # project_config.confine before anything is planned, so they cannot name host paths,
    # interpreters or limits.
    untrusted: bool = False


DEFAULT_MIN_SPEEDUP = 1.05
DEFAULT_STRATEGIES = ("catalogue",)


class ProgressListener(Protocol):
    """Hears about a run as it goes (the CLI draws a live display or prints plain lines).

    Called from worker threads; `fields` are JSON-friendly. The events, in the order of a run:
      workload_started    project, command, cwd
      workload_profiled   project, seconds, functions, failed
      project_targets     project, targets
      budget              project, done, total, seconds_left (None: no budget)
      target_generating   target, strategies
      target_started      target, candidates (after generation)
      target_checking     target, candidates
      target_checked      target, candidates, equivalent, duplicates, cached, inputs {source: n}
      benchmark_started   target, candidate
      benchmark_pair      target, pair, pairs (pairs taken, most pairs the plan takes)
      candidate_measured  target, candidate, speedup, ci, pairs, accepted
      target_done         target (file::qualname), status, speedup, ci, reason
      file_composed       file, edits, dropped
    and for `synthesize`: synthesis_started (target, strategies), synthesis_candidates
    (candidates, llm_calls, llm_tokens), synthesis_tests (tests, llm_calls, llm_tokens),
    synthesis_judged (usable, passed, tests), synthesis_optimizing (target).
    """

    def event(self, name: str, **fields: object) -> None: ...


class SilentProgress:
    def event(self, name: str, **fields: object) -> None:
        """Ignores every event."""
