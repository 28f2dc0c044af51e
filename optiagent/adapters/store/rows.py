"""Converts history records to column values and table rows back to records."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from optiagent.adapters.store.models import (
    AcceptedEditRow,
    CandidateRow,
    MeasurementRow,
    MeasurementSampleRow,
    RunRow,
    TargetRow,
    VerdictCacheRow,
    VerdictRow,
)
from optiagent.adapters.store.normalize import json_copy, to_utc
from optiagent.domain.history import (
    AcceptedEdit,
    CachedVerdict,
    CandidateRecord,
    MeasurementRecord,
    RunRecord,
    TargetRecord,
    VerdictCacheKey,
    VerdictRecord,
)
from optiagent.domain.samples import Machine, Pair, Sample

Values = dict[str, Any]


def run_values(run: RunRecord) -> Values:
    return {
        "id": run.id,
        "root": run.root,
        "repo": run.repo,
        "started_at": to_utc(run.started_at, "started_at"),
        "finished_at": None if run.finished_at is None else to_utc(run.finished_at, "finished_at"),
        "strategies": list(run.strategies),
        "sandbox": run.sandbox,
        "summary": json_copy(run.summary),
    }


def run_record(row: RunRow) -> RunRecord:
    return RunRecord(
        id=row.id,
        root=row.root,
        started_at=row.started_at,
        strategies=tuple(row.strategies),
        sandbox=row.sandbox,
        repo=row.repo,
        finished_at=row.finished_at,
        summary=row.summary,
    )


def target_values(target: TargetRecord) -> Values:
    return {
        "id": target.id,
        "run_id": target.run_id,
        "file": target.file,
        "qualname": target.qualname,
        "kind": target.kind,
        "status": target.status,
        "reason": target.reason,
    }


def target_record(row: TargetRow) -> TargetRecord:
    return TargetRecord(
        id=row.id,
        run_id=row.run_id,
        file=row.file,
        qualname=row.qualname,
        kind=row.kind,
        status=row.status,
        reason=row.reason,
    )


def candidate_values(candidate: CandidateRecord) -> Values:
    return {
        "id": candidate.id,
        "target_id": candidate.target_id,
        "source_hash": candidate.source_hash,
        "source": candidate.source,
        "strategy": candidate.strategy,
        "rules": list(candidate.rules),
        "provenance": json_copy(candidate.provenance),
    }


def candidate_record(row: CandidateRow) -> CandidateRecord:
    return CandidateRecord(
        id=row.id,
        target_id=row.target_id,
        source_hash=row.source_hash,
        source=row.source,
        strategy=row.strategy,
        rules=tuple(row.rules),
        provenance=row.provenance,
    )


def verdict_values(verdict: VerdictRecord) -> Values:
    return {
        "candidate_id": verdict.candidate_id,
        "verdict": verdict.verdict,
        "detail": verdict.detail,
        "checked": json_copy(verdict.checked),
    }


def verdict_record(row: VerdictRow) -> VerdictRecord:
    return VerdictRecord(
        candidate_id=row.candidate_id, verdict=row.verdict, detail=row.detail, checked=row.checked
    )


def measurement_values(measurement: MeasurementRecord) -> Values:
    machine = measurement.machine
    return {
        "candidate_id": measurement.candidate_id,
        "speedup": measurement.speedup,
        "ci_low": measurement.ci_low,
        "ci_high": measurement.ci_high,
        "samples": measurement.samples,
        "original_s": measurement.original_s,
        "candidate_s": measurement.candidate_s,
        "accepted": measurement.accepted,
        "machine": None if machine is None else dataclasses.asdict(machine),
    }


def sample_values(measurement: MeasurementRecord) -> list[Values]:
    """One row per timing process: two per pair."""
    values = []
    for index, pair in enumerate(measurement.pairs):
        for side, sample in (("original", pair.original), ("candidate", pair.candidate)):
            values.append(
                {
                    "candidate_id": measurement.candidate_id,
                    "pair": index,
                    "side": side,
                    "ran_first": pair.first == side,
                    "wall_s": sample.wall_s,
                    "cpu_s": sample.cpu_s,
                    "repeats": sample.repeats,
                    "warmups": [list(warmup) for warmup in sample.warmups],
                    "blocks": [list(block) for block in sample.blocks],
                    "voluntary_switches": sample.voluntary_switches,
                    "threads": sample.threads,
                    "involuntary_switches": sample.involuntary_switches,
                    "cpu": sample.cpu,
                    "load_avg": sample.load_avg,
                }
            )
    return values


def _sample(row: MeasurementSampleRow) -> Sample:
    return Sample(
        wall_s=row.wall_s,
        cpu_s=row.cpu_s,
        repeats=row.repeats,
        warmups=tuple((int(loops), float(value)) for loops, value in row.warmups),
        blocks=tuple((int(n), float(wall), float(cpu)) for n, wall, cpu in row.blocks),
        voluntary_switches=row.voluntary_switches,
        threads=row.threads,
        involuntary_switches=row.involuntary_switches,
        cpu=row.cpu,
        load_avg=row.load_avg,
    )


def measurement_record(
    row: MeasurementRow, samples: Iterable[MeasurementSampleRow] = ()
) -> MeasurementRecord:
    by_pair: dict[int, dict[str, MeasurementSampleRow]] = {}
    for sample in samples:
        by_pair.setdefault(sample.pair, {})[sample.side] = sample
    pairs = tuple(
        Pair(
            _sample(sides["original"]),
            _sample(sides["candidate"]),
            "original" if sides["original"].ran_first else "candidate",
        )
        for _, sides in sorted(by_pair.items())
    )
    return MeasurementRecord(
        candidate_id=row.candidate_id,
        speedup=row.speedup,
        ci_low=row.ci_low,
        ci_high=row.ci_high,
        samples=row.samples,
        original_s=row.original_s,
        candidate_s=row.candidate_s,
        accepted=row.accepted,
        pairs=pairs,
        machine=None if row.machine is None else Machine(**row.machine),
    )


def edit_values(edit: AcceptedEdit) -> Values:
    return {
        "id": edit.id,
        "run_id": edit.run_id,
        "target_id": edit.target_id,
        "candidate_id": edit.candidate_id,
        "repo": edit.repo,
        "file": edit.file,
        "qualname": edit.qualname,
        "original_source": edit.original_source,
        "optimized_source": edit.optimized_source,
        "diff": edit.diff,
        "speedup": edit.speedup,
        "ci_low": edit.ci_low,
        "ci_high": edit.ci_high,
        "strategy": edit.strategy,
        "rules": list(edit.rules),
        "created_at": to_utc(edit.created_at, "created_at"),
        "applied": edit.applied,
        "evidence": json_copy(edit.evidence),
        "tenant": edit.tenant,
    }


def edit_record(row: AcceptedEditRow) -> AcceptedEdit:
    return AcceptedEdit(
        id=row.id,
        run_id=row.run_id,
        target_id=row.target_id,
        candidate_id=row.candidate_id,
        repo=row.repo,
        file=row.file,
        qualname=row.qualname,
        original_source=row.original_source,
        optimized_source=row.optimized_source,
        diff=row.diff,
        speedup=row.speedup,
        ci_low=row.ci_low,
        ci_high=row.ci_high,
        strategy=row.strategy,
        rules=tuple(row.rules),
        created_at=row.created_at,
        applied=row.applied,
        evidence=row.evidence,
        tenant=row.tenant,
    )


def cached_verdict_values(entry: CachedVerdict) -> Values:
    return {
        "source_hash": entry.key.source_hash,
        "inputs_hash": entry.key.inputs_hash,
        "verdict": entry.verdict,
        "detail": entry.detail,
        "checked": json_copy(entry.checked),
    }


def cached_verdict(row: VerdictCacheRow) -> CachedVerdict:
    key = VerdictCacheKey(source_hash=row.source_hash, inputs_hash=row.inputs_hash)
    return CachedVerdict(key=key, verdict=row.verdict, detail=row.detail, checked=row.checked)
