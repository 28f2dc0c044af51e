"""What a caller asks of a run, and how it hears about progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from optiagent.services.benchmarking import BenchmarkSettings
from optiagent.verify.jobs import CheckSettings


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
    max_targets: int = 6
    workload_timeout_s: float = 300.0
    workers: int = 2
    project_workers: int = 2  # sub-projects processed at once (benchmarks still one at a time)
    check: CheckSettings = field(default_factory=CheckSettings)
    bench: BenchmarkSettings = field(default_factory=BenchmarkSettings)
    repo: str | None = None  # identity in history and the report's root (default: the resolved root)


DEFAULT_MIN_SPEEDUP = 1.05
DEFAULT_STRATEGIES = ("catalogue",)


class ProgressListener(Protocol):
    """Hears about a run as it goes (the CLI draws progress bars; the API streams events)."""

    def event(self, name: str, **fields: object) -> None: ...


class SilentProgress:
    def event(self, name: str, **fields: object) -> None:
        """Ignores every event."""
