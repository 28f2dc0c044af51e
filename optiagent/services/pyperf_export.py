"""`optiagent export RUN_ID --pyperf DIR`: a run's raw benchmark samples as pyperf JSON files.

Two files, `original.json` and `candidate.json`, each a pyperf benchmark suite with one benchmark
per measured candidate (named `file:qualname [rules or strategy]` in both, so
`python -m pyperf compare_to original.json candidate.json` pairs them). Each timing process is
one pyperf run: its warm-up passes as warmups, its timed blocks as values (seconds per pass, by
the clock its pair was judged by: the timing thread's CPU time, or wall time when a half waited
or ran threads; `clock` in the run's metadata says which), and where it ran as metadata.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyperf  # type: ignore[import-untyped]  # pyperf ships no type information

from optiagent.domain.errors import InputError
from optiagent.domain.history import CandidateRecord, MeasurementRecord, TargetRecord
from optiagent.domain.samples import Clock, Machine, Pair, Sample
from optiagent.ports.store import EditStore
from optiagent.services.stored_reports import find_run

SIDES = ("original", "candidate")


@dataclass(frozen=True)
class Measured:
    """One measured candidate of a run, with what its samples are named after."""

    target: TargetRecord
    candidate: CandidateRecord
    measurement: MeasurementRecord


def measured_candidates(store: EditStore, run_id: str) -> tuple[str, list[Measured]]:
    """(the run's full id, its candidates that have raw samples), in target and candidate order."""
    run = find_run(store, run_id)
    found = []
    for target in store.targets(run.id):
        for candidate in store.candidates(target.id):
            measurement = store.get_measurement(candidate.id)
            if measurement is not None and measurement.pairs:
                found.append(Measured(target, candidate, measurement))
    return run.id, found


def _names(measured: Sequence[Measured]) -> list[str]:
    """`file:qualname [label]`, with the candidate id's start where two labels would clash."""
    base = [
        f"{m.target.file}:{m.target.qualname} [{'+'.join(m.candidate.rules) or m.candidate.strategy}]"
        for m in measured
    ]
    clashes = Counter(base)
    return [
        name if clashes[name] == 1 else f"{name[:-1]} {m.candidate.id[:8]}]"
        for name, m in zip(base, measured, strict=True)
    ]


def _metadata(name: str, sample: Sample, pair: Pair, side: str, machine: Machine | None) -> dict[str, object]:
    metadata: dict[str, object] = {
        "name": name,
        "unit": "second",
        "loops": max(1, min((passes for passes, _, _ in sample.blocks), default=sample.repeats)),
        "clock": pair.clock,
        "ran_first": "yes" if pair.first == side else "no",
        "load_avg_1min": sample.load_avg,
        "voluntary_switches": sample.voluntary_switches,
        "involuntary_switches": sample.involuntary_switches,
        "threads": sample.threads,
    }
    if sample.cpu is not None:
        metadata["cpu_affinity"] = str(sample.cpu)
    if machine is not None:
        metadata |= {
            "cpu_model_name": machine.cpu_model,
            "cpu_count": machine.cpu_count,
            "python_version": machine.python_version,
            "python_implementation": machine.python_implementation,
            "platform": machine.platform,
        }
    return metadata


def _values(sample: Sample, clock: Clock) -> list[float]:
    column = 2 if clock == "cpu" else 1
    values = [block[column] for block in sample.blocks if block[column] > 0]
    return values or [sample.seconds(clock)]


def _run(name: str, pair: Pair, side: str, machine: Machine | None) -> pyperf.Run:
    sample = pair.original if side == "original" else pair.candidate
    warmups = [(loops, value) for loops, value in sample.warmups if loops >= 1 and value > 0]
    return pyperf.Run(
        _values(sample, pair.clock),
        warmups=warmups or None,
        metadata=_metadata(name, sample, pair, side, machine),
        collect_metadata=False,
    )


def pyperf_suites(measured: Sequence[Measured]) -> dict[str, pyperf.BenchmarkSuite]:
    """One suite per side; each measured candidate a benchmark in both, under the same name."""
    if not measured:
        raise InputError(
            "the run has no benchmark samples (no candidate was benchmarked, or it predates them)"
        )
    suites = {}
    for side in SIDES:
        benchmarks = [
            pyperf.Benchmark([_run(name, pair, side, m.measurement.machine) for pair in m.measurement.pairs])
            for name, m in zip(_names(measured), measured, strict=True)
        ]
        suites[side] = pyperf.BenchmarkSuite(benchmarks)
    return suites


def export_pyperf(store: EditStore, run_id: str, directory: Path) -> list[Path]:
    """Write `original.json` and `candidate.json` of run `run_id` into `directory` (created)."""
    _, measured = measured_candidates(store, run_id)
    suites = pyperf_suites(measured)
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory} exists and is not a directory")
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for side, suite in suites.items():
        path = directory / f"{side}.json"
        suite.dump(str(path), replace=True)
        written.append(path)
    return written
