"""One target end to end: generate, validate in the sandbox, benchmark, select, record."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from optiagent.domain.candidates import Budget, Candidate
from optiagent.domain.edits import diff_size, unified_diff
from optiagent.domain.history import (
    AcceptedEdit,
    CachedVerdict,
    CandidateRecord,
    MeasurementRecord,
    TargetRecord,
    VerdictRecord,
)
from optiagent.domain.measurement import Accepted, Measurement, decide
from optiagent.domain.report import TargetReport, TargetStatus, choose_best
from optiagent.domain.samples import machine_json, pairs_json
from optiagent.domain.selection.oracle_free import dissenters
from optiagent.domain.targets import Target
from optiagent.domain.verdicts import Crashed, Equivalent, Mismatch, Nondeterministic, verdict_name
from optiagent.ports.generator import CandidateGenerator, TargetContext
from optiagent.ports.llm import ProviderUnavailableError
from optiagent.ports.sandbox import Sandbox
from optiagent.ports.store import EditStore
from optiagent.rewrite.locate import function_source
from optiagent.rewrite.normalize import normalize_source
from optiagent.services.agent_ports import agent_context
from optiagent.services.benchmarking import BenchmarkFailed, BenchmarkSettings, measure_speedup
from optiagent.services.requests import ProgressListener
from optiagent.services.verdict_cache import cache_key, cached_outcome, entry_for, input_set_hash
from optiagent.verify.jobs import CheckSettings, Evidence, check_job
from optiagent.verify.verdicts import MIN_HINT_S, CheckOutcome, read_checks, read_self_check

PROVIDER_OUTAGE = "LLM provider unavailable after retries"


@dataclass(frozen=True)
class TargetJob:
    run_id: str
    repo: str
    report_file: str  # the file as the report names it (relative to the run's root)
    target: Target
    source: str
    source_hash: str
    evidence: Evidence
    # Given by the service so a retried target reuses its rows (one accepted edit per target).
    target_id: str | None = None


@dataclass(frozen=True)
class Services:
    sandbox: Sandbox
    store: EditStore
    generators: Mapping[str, CandidateGenerator]
    progress: ProgressListener
    check: CheckSettings
    bench: BenchmarkSettings
    min_speedup: float
    workers: int
    # One benchmark at a time across the whole run, whatever else runs concurrently.
    bench_lock: threading.Lock = field(default_factory=threading.Lock)
    # A target's own time (queueing for bench_lock excluded) after which no further candidate is
    # benchmarked: the most promising go first (and is always benchmarked), so a target ends
    # within about a minute.
    target_budget_s: float = 40.0
    # Each check job first validates the original against itself (CheckSettings.self_check).
    self_check: bool = True
    # Also targets no strategy proposed a candidate for, in a job of their own (costs the
    # original's warm pass): measures the invariant on every target (benchmarks).
    self_check_all: bool = False


@dataclass
class TargetClock:
    """A target's own time: wall time minus the time spent queued behind other targets."""

    started: float = field(default_factory=time.monotonic)
    queued: float = 0.0

    def active(self) -> float:
        return time.monotonic() - self.started - self.queued

    @contextmanager
    def waiting_for(self, lock: threading.Lock) -> Iterator[None]:
        before = time.monotonic()
        with lock:
            self.queued += time.monotonic() - before
            yield


def derived_id(*parts: str) -> str:
    """A stable id from its parts, so re-running a target records the same rows, not new ones."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _safe_normalize(source: str) -> str:
    try:
        return normalize_source(source)
    except Exception:
        return source


def generate_candidates(services: Services, job: TargetJob) -> tuple[list[Candidate], list[str]]:
    """Candidates from every strategy, deduplicated by normalized text, never the original."""
    context = TargetContext(
        module_source=job.source,
        target_source=(function_source(job.source, job.target.qualname) or job.source)
        if job.target.qualname != "<program>"
        else job.source,
    )
    if job.target.qualname != "<program>" and any(name != "catalogue" for name in services.generators):
        context = agent_context(  # LLM agents validate and probe in the sandbox while they work
            context,
            services.sandbox,
            services.store,
            job.evidence,
            lambda sources: _check_all(services, job, [Candidate(s, "agent") for s in sources]),
            job.target,
        )
    seen = {_safe_normalize(job.source)}
    unique: list[Candidate] = []
    problems: list[str] = []
    for name, generator in services.generators.items():
        try:
            proposed = generator.propose(job.target, context, Budget(max_candidates=6))
        except ProviderUnavailableError as error:  # retried by the adapter already
            problems.append(f"{name}: {PROVIDER_OUTAGE} ({type(error).__name__}: {error})")
            continue
        except Exception as error:  # one strategy failing must not sink the target
            problems.append(f"{name}: {type(error).__name__}: {error}")
            continue
        for candidate in proposed:
            key = _safe_normalize(candidate.source)
            if key not in seen:
                seen.add(key)
                unique.append(candidate)
    return unique, problems


def _check_all(services: Services, job: TargetJob, candidates: Sequence[Candidate]) -> list[CheckOutcome]:
    """Verdicts for every candidate: from the verdict cache where known, else from one sandbox job."""
    inputs_hash = input_set_hash(job.target.key, job.evidence, services.check)
    keys = [cache_key(job.target.key, c.source, inputs_hash) for c in candidates]
    outcomes: list[CheckOutcome | None] = [None] * len(candidates)
    to_run: list[int] = []
    verified: list[int] = []  # positions within to_run
    known: dict[int, CachedVerdict] = {}
    for index, key in enumerate(keys):
        entry = services.store.get_cached_verdict(key)
        rejected = cached_outcome(entry) if entry is not None else None
        if rejected is not None:
            outcomes[index] = rejected
            continue
        if entry is not None and entry.verdict == "equivalent":
            known[index] = entry
            verified.append(len(to_run))
        to_run.append(index)
    if to_run:
        sources = [candidates[i].source for i in to_run]
        settings = dataclasses.replace(services.check, self_check=services.self_check)
        job_spec = check_job(job.target, job.evidence, sources, settings, verified)
        for index, outcome in zip(
            to_run, read_checks(services.sandbox.run(job_spec), len(to_run)), strict=True
        ):
            entry = known.get(index)
            if entry is not None and isinstance(outcome.verdict, Equivalent):
                outcome = dataclasses.replace(outcome, verdict=Equivalent(checked=dict(entry.checked)))
            outcomes[index] = outcome
            fresh = entry_for(keys[index], outcome)
            if fresh is not None:
                services.store.put_cached_verdict(fresh)
    return [o if o is not None else CheckOutcome(Crashed("no verdict")) for o in outcomes]


def _without_dissenters(outcomes: list[CheckOutcome]) -> list[CheckOutcome]:
    """Equivalent candidates that answer a stress input the original could not finish differently
    from the B4 consensus of the others are rejected (no oracle there, only agreement)."""
    # Functional duplicates carry their twin's outputs: each is one more vote for them.
    judged = [i for i, o in enumerate(outcomes) if isinstance(o.verdict, Equivalent) and o.beyond_budget]
    out = dissenters([outcomes[i].beyond_budget for i in judged])
    result = list(outcomes)
    for position in out:
        index = judged[position]
        detail = (
            "disagrees with the other candidates' consensus (B4) on a stress input too large "
            "for the original to finish within its budget"
        )
        result[index] = dataclasses.replace(
            outcomes[index],
            verdict=Mismatch("(a stress input beyond the original's budget)", "consensus", detail),
        )
    return result


def _evidence_summary(outcome: CheckOutcome, measurement: Measurement) -> dict[str, object]:
    """What an accepted edit was proven on: inputs by source, the largest and slowest inputs, scaling."""
    checked = dict(outcome.verdict.checked) if isinstance(outcome.verdict, Equivalent) else {}
    largest = max((float(s.get("factor", 1)) for s in outcome.stress), default=None)
    sizes = [int(s["size"]) for s in outcome.stress if s.get("size") is not None]
    # The candidate's exponent is measured on the first stress input that has one: pair with it.
    exponents = [float(s["exponent"]) for s in outcome.stress if s.get("exponent") is not None]
    return {
        "inputs_checked": checked,
        "verdict_from_cache": outcome.from_cache,
        "stress_scale": largest,
        "largest_input_size": max(sizes) if sizes else None,
        "slowest_input": dict(outcome.slowest) or None,
        "original_time_exponent": exponents[0] if exponents else None,
        "candidate_time_exponent": outcome.candidate_exponent,
        "original_s": measurement.original_s,
        "candidate_s": measurement.candidate_s,
        "pairs": measurement.samples,
        "scaling": _scaling(outcome),
    }


def _scaling(outcome: CheckOutcome) -> dict[str, object] | None:
    """CPU seconds per call against input size, original and candidate, on the stress input whose
    exponents the evidence reports. Collections and sizes grow in proportion to the scale factor
    (`harness.inputs.scale_value`), so a factor's size is the stress input's size in proportion."""
    recipe = next((s for s in outcome.stress if s.get("exponent") is not None), None)
    if recipe is None or not recipe.get("scaling"):
        return None
    size, factor = recipe.get("size"), float(recipe.get("factor") or 1)
    per_factor = float(size) / factor if size else None

    def points(raw: Sequence[Sequence[float]]) -> list[list[float]]:
        return [[float(f) * per_factor if per_factor else float(f), float(t)] for f, t in raw]

    return {
        "size_of": "largest argument" if per_factor else "scale factor",
        "original": points(recipe["scaling"]),
        "candidate": points(outcome.candidate_scaling),
    }


def _verdict_record(candidate_id: str, outcome: CheckOutcome, ids: Sequence[str]) -> VerdictRecord:
    verdict = outcome.verdict
    if outcome.duplicate_of is not None:
        first = ids[outcome.duplicate_of]
        return VerdictRecord(candidate_id, "duplicate", f"same behavioural fingerprint as {first}", {})
    detail = "" if isinstance(verdict, Equivalent) else getattr(verdict, "detail", "")
    checked = dict(verdict.checked) if isinstance(verdict, Equivalent) else {}
    return VerdictRecord(candidate_id, verdict_name(verdict), detail, checked)


def run_target(services: Services, job: TargetJob) -> TargetReport:
    clock = TargetClock()
    report = _run_target(services, job, clock)
    report.wall_seconds = round(clock.active(), 3)
    report.queued_seconds = round(clock.queued, 3)
    return report


def _run_target(services: Services, job: TargetJob, clock: TargetClock) -> TargetReport:
    target, store = job.target, services.store
    target_id = job.target_id or uuid.uuid4().hex
    report = TargetReport(file=job.report_file, qualname=target.qualname, status=TargetStatus.UNCHANGED)
    store.record_target(
        TargetRecord(target_id, job.run_id, job.report_file, target.qualname, target.kind.value)
    )
    services.progress.event("target_generating", target=target.key, strategies=list(services.generators))
    candidates, problems = generate_candidates(services, job)
    report.candidates = len(candidates)
    services.progress.event("target_started", target=target.key, candidates=len(candidates))
    if not candidates:
        report.reason = "; ".join(problems) or "no strategy proposed a candidate"
        if problems and all(PROVIDER_OUTAGE in problem for problem in problems):
            report.status = TargetStatus.FAILED
        elif services.self_check_all and target.qualname != "<program>":
            settings = dataclasses.replace(services.check, self_check=True)
            started = time.monotonic()
            report.self_check = read_self_check(
                services.sandbox.run(check_job(target, job.evidence, [], settings))
            )
            report.unbudgeted_seconds = time.monotonic() - started
            if report.self_check not in (None, "equivalent"):
                report.reason += (
                    f"; self-check failed, the original is rejected against itself: {report.self_check}"
                )
        return _finish(store, target_id, report)
    ids = [derived_id(target_id, candidate.source_hash) for candidate in candidates]
    for candidate_id, candidate in zip(ids, candidates, strict=True):
        store.record_candidate(
            CandidateRecord(
                candidate_id,
                target_id,
                candidate.source_hash,
                candidate.source,
                candidate.strategy,
                candidate.rules,
                dict(candidate.provenance),
            )
        )
    services.progress.event("target_checking", target=target.key, candidates=len(candidates))
    outcomes = _without_dissenters(_check_all(services, job, candidates))
    report.cache_hits = sum(o.from_cache for o in outcomes)
    report.functional_duplicates = sum(o.duplicate_of is not None for o in outcomes)
    if outcomes and outcomes[0].note:
        report.notes.append(outcomes[0].note)
    for candidate_id, outcome in zip(ids, outcomes, strict=True):
        store.record_verdict(_verdict_record(candidate_id, outcome, ids))
    services.progress.event(
        "target_checked",
        target=target.key,
        equivalent=sum(isinstance(o.verdict, Equivalent) for o in outcomes),
        candidates=len(outcomes),
        duplicates=report.functional_duplicates,
        cached=report.cache_hits,
        inputs=max(
            (dict(o.verdict.checked) for o in outcomes if isinstance(o.verdict, Equivalent)),
            key=lambda checked: sum(checked.values()),
            default={},
        ),
    )
    report.self_check = next((o.self_check for o in outcomes if o.self_check is not None), None)
    if report.self_check not in (None, "equivalent"):
        report.status = TargetStatus.SKIPPED
        report.reason = f"self-check failed, the original is rejected against itself: {report.self_check}"
        return _finish(store, target_id, report)
    if all(o.no_inputs for o in outcomes):
        report.status, report.reason = TargetStatus.SKIPPED, outcomes[0].note or "no inputs could be produced"
        return _finish(store, target_id, report)
    if any(isinstance(o.verdict, Nondeterministic) for o in outcomes):
        verdict = next(o.verdict for o in outcomes if isinstance(o.verdict, Nondeterministic))
        report.status, report.reason = TargetStatus.SKIPPED, f"nondeterministic: {verdict.detail}"
        return _finish(store, target_id, report)
    return _benchmark_and_select(services, job, target_id, report, candidates, ids, outcomes, clock)


def benchmark_order(outcomes: Sequence[CheckOutcome]) -> list[int]:
    """Most promising first (past a target's budget only the first is benchmarked), by
    `promise`; on a tie, a first timing goes before the fallbacks."""
    return sorted(
        range(len(outcomes)),
        key=lambda i: (-promise(outcomes[i]), outcomes[i].prescreen_speedup is None, i),
    )


def promise(outcome: CheckOutcome) -> float:
    """The check job's first timing; when its budget left no time for one (a set-based rewrite of
    a quadratic original: the original alone outlasts it), the ratio on the slowest checked input,
    if the original's call there was long enough to mean anything; else 1.0x, no evidence either
    way, so such a candidate is not put behind one that timed no faster."""
    if outcome.prescreen_speedup is not None:
        return outcome.prescreen_speedup
    original_s, candidate_s = outcome.slowest.get("original_s"), outcome.slowest.get("candidate_s")
    if not (isinstance(original_s, float) and isinstance(candidate_s, float)):
        return 1.0
    return original_s / candidate_s if candidate_s > 0 and original_s >= MIN_HINT_S else 1.0


def hint_rejects(outcome: CheckOutcome, floor: float) -> bool:
    """The check job's first timing says the candidate is clearly slower, on enough time to tell."""
    hint = outcome.timing_hint
    return hint is not None and hint < floor


def _benchmark_and_select(
    services: Services,
    job: TargetJob,
    target_id: str,
    report: TargetReport,
    candidates: Sequence[Candidate],
    ids: Sequence[str],
    outcomes: Sequence[CheckOutcome],
    clock: TargetClock,
) -> TargetReport:
    accepted: list[tuple[int, Measurement]] = []
    reasons: list[str] = []
    for index in benchmark_order(outcomes):
        candidate, outcome = candidates[index], outcomes[index]
        if not isinstance(outcome.verdict, Equivalent):
            reasons.append(_rejection(candidate, outcome))
            report.rejected.append(_rejected_entry(candidate, outcome))
            continue
        if outcome.duplicate_of is not None:
            other = candidates[outcome.duplicate_of]
            reasons.append(
                f"{_label(candidate)}: same behaviour and instruction counts on the probe inputs as "
                f"{_label(other)}; checked and benchmarked once"
            )
            continue
        hint = outcome.prescreen_speedup
        if hint_rejects(outcome, services.bench.prescreen_floor):
            reasons.append(
                f"{'+'.join(candidate.rules) or candidate.strategy}: not benchmarked, "
                f"a first timing showed {hint:.2f}x"
            )
            continue
        # the most promising equivalent candidate is always measured: proposing and checking
        # alone can use up the budget (a slow catalogue on a large module, a loaded machine)
        if report.measurements and clock.active() > services.target_budget_s:
            reasons.append(
                f"{_label(candidate)}: not benchmarked, the target's time budget "
                f"({services.target_budget_s:.0f} s) was spent on more promising candidates"
            )
            continue
        services.progress.event("benchmark_started", target=job.target.key, candidate=_label(candidate))
        try:
            with clock.waiting_for(services.bench_lock):
                measurement = measure_speedup(
                    services.sandbox,
                    job.target,
                    job.evidence,
                    candidate.source,
                    outcome.bench_inputs,
                    services.min_speedup,
                    services.bench,
                    copy_inputs=outcome.mutates_arguments,
                    on_pair=lambda taken, most: services.progress.event(
                        "benchmark_pair", target=job.target.key, pair=taken, pairs=most
                    ),
                )
        except BenchmarkFailed as error:
            reasons.append(f"{'+'.join(candidate.rules) or candidate.strategy}: {error}")
            continue
        decision = decide(measurement, services.min_speedup)
        services.store.record_measurement(
            MeasurementRecord(
                ids[index],
                measurement.speedup,
                measurement.ci_low,
                measurement.ci_high,
                measurement.samples,
                measurement.original_s,
                measurement.candidate_s,
                isinstance(decision, Accepted),
                measurement.pairs,
                measurement.machine,
            )
        )
        services.progress.event(
            "candidate_measured",
            target=job.target.key,
            candidate=_label(candidate),
            speedup=measurement.speedup,
            ci=(measurement.ci_low, measurement.ci_high),
            pairs=measurement.samples,
            accepted=isinstance(decision, Accepted),
        )
        report.measurements.append(
            {
                "candidate": _label(candidate),
                "speedup": measurement.speedup,
                "ci": [measurement.ci_low, measurement.ci_high],
                "pairs": measurement.samples,
                "accepted": isinstance(decision, Accepted),
                "machine": machine_json(measurement.machine, measurement.pairs),
                "samples": pairs_json(measurement.pairs),
            }
        )
        if isinstance(decision, Accepted):
            accepted.append((index, measurement))
        else:
            reasons.append(f"{'+'.join(candidate.rules) or candidate.strategy}: {decision.reason}")
    if not accepted:
        report.reason = "; ".join(reasons)[:2000] or "no candidate was faster"
        return _finish(services.store, target_id, report)
    options = [
        (m.speedup, m.ci_low, m.ci_high, diff_size(job.source, candidates[i].source)) for i, m in accepted
    ]
    index, measurement = accepted[choose_best(options)]
    winner = candidates[index]
    report.status = TargetStatus.IMPROVED
    report.speedup, report.ci = measurement.speedup, (measurement.ci_low, measurement.ci_high)
    report.strategy, report.rules = winner.strategy, list(winner.rules)
    report.diff = unified_diff(job.source, winner.source, job.report_file)
    report.new_source, report.original_hash = winner.source, job.source_hash
    report.evidence = _evidence_summary(outcomes[index], measurement)
    report.reason = f"{len(accepted)} of {len(candidates)} candidates accepted"
    report.edit_id = derived_id(target_id, "accepted-edit")
    services.store.record_accepted_edit(
        AcceptedEdit(
            id=report.edit_id,
            run_id=job.run_id,
            target_id=target_id,
            candidate_id=ids[index],
            repo=job.repo,
            file=job.report_file,
            qualname=job.target.qualname,
            original_source=job.source,
            optimized_source=winner.source,
            diff=report.diff,
            speedup=measurement.speedup,
            ci_low=measurement.ci_low,
            ci_high=measurement.ci_high,
            strategy=winner.strategy,
            rules=winner.rules,
            created_at=datetime.now(UTC),
            evidence=report.evidence,
        )
    )
    return _finish(services.store, target_id, report)


def _label(candidate: Candidate) -> str:
    return "+".join(candidate.rules) or candidate.strategy


def _rejection(candidate: Candidate, outcome: CheckOutcome) -> str:
    label = _label(candidate)
    verdict = outcome.verdict
    if isinstance(verdict, Mismatch) and outcome.from_cache:
        return f"{label}: rejected in an earlier run (verdict cache), {verdict.detail}"
    if isinstance(verdict, Mismatch):
        return f"{label}: rejected, {verdict.detail} on {verdict.source} input {verdict.counterexample[:200]}"
    return f"{label}: rejected, {verdict_name(verdict)}: {getattr(verdict, 'detail', '')[:300]}"


def _rejected_entry(candidate: Candidate, outcome: CheckOutcome) -> dict[str, object]:
    verdict = outcome.verdict
    mismatch = verdict if isinstance(verdict, Mismatch) else None
    return {
        "candidate": _label(candidate),
        "verdict": verdict_name(verdict),
        "detail": getattr(verdict, "detail", "")[:1000],
        "input_source": mismatch.source if mismatch else None,
        "counterexample": mismatch.counterexample[:2000] if mismatch else None,
        "from_cache": outcome.from_cache,
    }


def _finish(store: EditStore, target_id: str, report: TargetReport) -> TargetReport:
    store.update_target(target_id, report.status.value, report.reason[:4000])
    return report
