"""The run report: what the CLI prints, `--json` writes and the API serves (schema 1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from optiagent.domain.composition import ComposedFile
from optiagent.domain.measurement import geometric_mean

_INTERNAL = frozenset({"new_source", "original_hash", "edit_id", "composition", "unbudgeted_seconds"})


class TargetStatus(StrEnum):
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"
    NOT_TARGET = "not_target"  # hot in the workload's profile, but not a target: the reason says why


@dataclass
class TargetReport:
    file: str
    qualname: str
    status: TargetStatus
    reason: str = ""
    speedup: float | None = None
    ci: tuple[float, float] | None = None
    candidates: int = 0
    strategy: str | None = None
    rules: list[str] = field(default_factory=list)
    diff: str | None = None
    applied: bool = False
    evidence: dict[str, Any] = field(default_factory=dict)
    wall_seconds: float = 0.0  # this target's own time, from generation to the recorded verdict
    queued_seconds: float = 0.0  # time it waited for other targets' benchmarks (not in wall_seconds)
    cache_hits: int = 0  # candidates whose verdict came from the verdict cache
    functional_duplicates: int = 0  # candidates with an earlier candidate's fingerprint
    notes: list[str] = field(default_factory=list)  # e.g. what could not be inferred for inputs
    # The original validated as a candidate of itself: "equivalent", else why not (a false
    # rejection: the target is skipped); None when no check job ran (every verdict was cached).
    self_check: str | None = None
    # Every benchmarked candidate: {"candidate", "speedup", "ci": [low, high], "pairs", "accepted"}.
    measurements: list[dict[str, Any]] = field(default_factory=list)
    # Candidates the check rejected: {"candidate", "verdict", "detail", "input_source",
    # "counterexample", "from_cache"} (input_source and counterexample for a mismatch only).
    rejected: list[dict[str, Any]] = field(default_factory=list)
    # internal, not in the JSON: time spent on what a user's run would not do (the benchmarks'
    # self-check of a target without candidates): not charged to the run's time budget
    unbudgeted_seconds: float = 0.0
    # internal, not in the JSON: the full new text of the file for apply
    new_source: str | None = field(default=None, repr=False)
    original_hash: str | None = field(default=None, repr=False)
    edit_id: str | None = field(default=None, repr=False)
    # the file's accepted edits composed and checked together: what --apply writes (report "files")
    composition: ComposedFile | None = field(default=None, repr=False)


@dataclass
class Report:
    run_id: str
    root: str
    strategies: list[str]
    sandbox: str
    targets: list[TargetReport] = field(default_factory=list)
    skipped_files: list[Mapping[str, str]] = field(default_factory=list)
    wall_seconds: float = 0.0
    min_speedup: float | None = None  # the acceptance bar: a CI's lower bound must lie above it

    def summary(self) -> dict[str, Any]:
        improved = [t for t in self.targets if t.status is TargetStatus.IMPROVED]
        return {
            "targets": sum(t.status is not TargetStatus.NOT_TARGET for t in self.targets),
            "not_targets": sum(t.status is TargetStatus.NOT_TARGET for t in self.targets),
            "improved": len(improved),
            "geomean_speedup": geometric_mean([t.speedup for t in improved if t.speedup]),
            "self_check_failures": sum(t.self_check not in (None, "equivalent") for t in self.targets),
            "wall_seconds": round(self.wall_seconds, 3),
        }

    def composed_files(self) -> list[ComposedFile]:
        """Each file's composition once, in the order of the report's targets."""
        found: dict[int, ComposedFile] = {}
        for target in self.targets:
            if target.composition is not None:
                found.setdefault(id(target.composition), target.composition)
        return list(found.values())

    def to_json(self) -> dict[str, Any]:
        targets = []
        for target in self.targets:
            if target.status is TargetStatus.NOT_TARGET:
                continue  # listed apart: they were never tried
            entry = {k: v for k, v in asdict(replace(target, composition=None)).items() if k not in _INTERNAL}
            entry["status"] = target.status.value
            entry["ci"] = list(target.ci) if target.ci else None
            targets.append(entry)
        return {
            "schema": 1,
            "run_id": self.run_id,
            "root": self.root,
            "strategies": list(self.strategies),
            "sandbox": self.sandbox,
            "min_speedup": self.min_speedup,
            "targets": targets,
            "not_targets": [
                {"file": t.file, "function": t.qualname, "reason": t.reason}
                for t in self.targets
                if t.status is TargetStatus.NOT_TARGET
            ],
            "skipped_files": [dict(s) for s in self.skipped_files],
            "files": [composed.to_json() for composed in self.composed_files()],
            "summary": self.summary(),
        }


def choose_best(options: Sequence[tuple[float, float, float, int]]) -> int:
    """Index of the best (speedup, ci_low, ci_high, diff_size): fastest, near-ties by smaller diff.

    Near-tie: the intervals overlap with the fastest one's interval.
    """
    if not options:
        raise ValueError("no options to choose from")
    fastest = max(range(len(options)), key=lambda i: options[i][0])
    _, low, _, _ = options[fastest]
    tied = [i for i, (_, _, high, _) in enumerate(options) if high >= low]
    return min(tied, key=lambda i: (options[i][3], -options[i][0]))
