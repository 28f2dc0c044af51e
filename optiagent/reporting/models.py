"""The report's JSON (schema 1) as pydantic models: what `--json` writes, the API serves and
`optiagent.optimize()` returns. `optiagent schema report` prints their JSON Schema.

The domain builds the JSON (`Report.to_json`, standard library only); these models describe it and
read it back. Unknown fields are refused, so the schema cannot silently drift from the JSON: a new
report field is added here too (tests validate a real run's JSON against the schema).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from optiagent.domain.report import Report


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SlowestInput(_Model):
    """The input on which the original took longest during the check."""

    source: str | None = Field(default=None, description="captured, hypothesis, stress, example, ...")
    original_s: float | None = None
    candidate_s: float | None = None


class Scaling(_Model):
    """CPU seconds per call against input size, for the original and the candidate (log-log)."""

    size_of: Literal["largest argument", "scale factor"] = Field(
        description="What the size axis counts: the largest argument's length or value, or the "
        "factor the stress input was grown by when its size is unknown."
    )
    original: list[tuple[float, float]] = Field(description="(size, CPU seconds per call) points.")
    candidate: list[tuple[float, float]] = Field(description="(size, CPU seconds per call) points.")


class Evidence(_Model):
    """What an accepted edit was proven and measured on (empty for other targets)."""

    inputs_checked: dict[str, int] = Field(
        default_factory=dict, description="Inputs both versions agreed on, by source."
    )
    verdict_from_cache: bool = False
    stress_scale: float | None = Field(
        default=None, description="How much the largest stress input was grown."
    )
    largest_input_size: int | None = None
    slowest_input: SlowestInput | None = None
    original_time_exponent: float | None = Field(default=None, description="k in t ~ n^k for the original.")
    candidate_time_exponent: float | None = Field(default=None, description="k in t ~ n^k for the candidate.")
    original_s: float | None = Field(
        default=None, description="Median seconds per benchmark sample, original."
    )
    candidate_s: float | None = Field(
        default=None, description="Median seconds per benchmark sample, candidate."
    )
    pairs: int | None = Field(default=None, description="Benchmark pairs taken.")
    scaling: Scaling | None = None


class TimingSample(_Model):
    """One timing process: warm-up passes first, then `repeats` timed passes read in blocks."""

    wall_s: float = Field(description="Wall seconds per timed pass.")
    cpu_s: float = Field(description="CPU seconds per timed pass (the timing thread's clock).")
    repeats: int = Field(description="Timed passes over the benchmark inputs (pyperf's loops).")
    warmups: list[tuple[int, float]] = Field(description="Untimed passes first: (passes, CPU s per pass).")
    blocks: list[tuple[int, float, float]] = Field(
        description="The timed passes in blocks: (passes, wall s per pass, CPU s per pass)."
    )
    voluntary_switches: int = Field(description="Times the process waited in the timed region.")
    involuntary_switches: int = Field(description="Times it was preempted in the timed region.")
    threads: int = Field(description="Most threads it had in the timed region.")
    cpu: int | None = Field(description="The CPU it was pinned to; null: not pinned.")
    load_avg: float = Field(description="The machine's 1-minute load average when it finished.")


class SamplePair(_Model):
    """Original and candidate timed back to back on one CPU, in a drawn order."""

    first: Literal["original", "candidate"]
    clock: Literal["cpu", "wall"] = Field(
        description="The clock the pair's ratio uses: CPU time unless a half waited or ran threads."
    )
    original: TimingSample
    candidate: TimingSample


class Machine(_Model):
    """Where the samples were taken (the sandbox's view)."""

    cpu_model: str
    cpu_count: int
    usable_cpus: int = Field(description="CPUs the timing process may run on.")
    python_version: str
    python_implementation: str
    platform: str
    affinity: str = Field(description="How samples were pinned to CPUs, or why they were not.")
    load_avg: tuple[float, float] | None = Field(None, description="Load average range over the samples.")


class CandidateMeasurement(_Model):
    """One benchmarked candidate: the median of per-pair speedups and its 95% interval."""

    candidate: str = Field(description="Its rules joined by '+', else its strategy.")
    speedup: float
    ci: tuple[float, float]
    pairs: int
    accepted: bool
    machine: Machine | None = None
    samples: list[SamplePair] = Field(
        default_factory=list, description="The raw samples (`optiagent export RUN_ID --pyperf DIR`)."
    )


class RejectedCandidate(_Model):
    """A candidate the differential check refused, with the input that showed it wrong."""

    candidate: str
    verdict: str = Field(description="mismatch, crashed, timed_out or nondeterministic.")
    detail: str = ""
    input_source: str | None = Field(
        default=None, description="Where the counterexample came from (mismatch)."
    )
    counterexample: str | None = Field(default=None, description="The call that told them apart (mismatch).")
    from_cache: bool = False


class TargetEntry(_Model):
    """One target function (or program) and what became of it."""

    file: str
    qualname: str
    status: Literal["improved", "unchanged", "skipped", "failed"]
    reason: str = ""
    speedup: float | None = None
    ci: tuple[float, float] | None = Field(default=None, description="95% interval of the speedup.")
    candidates: int = 0
    strategy: str | None = None
    rules: list[str] = Field(default_factory=list)
    diff: str | None = None
    applied: bool = False
    evidence: Evidence = Field(default_factory=lambda: Evidence())
    wall_seconds: float = 0.0
    queued_seconds: float = 0.0
    cache_hits: int = 0
    functional_duplicates: int = 0
    notes: list[str] = Field(default_factory=list)
    self_check: str | None = None
    measurements: list[CandidateMeasurement] = Field(default_factory=list)
    rejected: list[RejectedCandidate] = Field(default_factory=list)


class NotTarget(_Model):
    """A function hot in the workload that is not a target, and why."""

    file: str
    function: str
    reason: str


class SkippedFile(_Model):
    file: str
    reason: str


class DroppedEdit(_Model):
    qualname: str
    reason: str


class ComposedFile(_Model):
    """A file's accepted edits composed into one module text (what --apply writes)."""

    file: str
    edits: list[str]
    dropped: list[DroppedEdit] = Field(default_factory=list)
    validated_on: list[str] = Field(default_factory=list)
    diff: str = ""


class Summary(_Model):
    targets: int
    not_targets: int
    improved: int
    geomean_speedup: float | None
    self_check_failures: int
    wall_seconds: float


class RunReport(_Model):
    """The report of one `optiagent optimize` run (or one API job)."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="optiagent report")

    schema_version: Literal[1] = Field(default=1, alias="schema", description="Version of this format.")
    run_id: str
    root: str
    strategies: list[str]
    sandbox: str
    min_speedup: float | None = Field(
        default=None, description="The acceptance bar: a speedup interval's lower end must lie above it."
    )
    targets: list[TargetEntry]
    not_targets: list[NotTarget] = Field(default_factory=list)
    skipped_files: list[SkippedFile] = Field(default_factory=list)
    files: list[ComposedFile] = Field(default_factory=list)
    summary: Summary

    def to_json(self) -> dict[str, Any]:
        """The report's JSON, as it was read (fields it did not have stay out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


def typed_report(report: Report) -> RunReport:
    return RunReport.model_validate(report.to_json())


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the report (draft 2020-12)."""
    schema = RunReport.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
