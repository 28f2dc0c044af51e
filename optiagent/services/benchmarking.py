"""Paired benchmark of original vs candidate, each sample in a fresh sandboxed process.

A pair's two halves run at the same time pinned to one CPU (drawn per pair), so they share its
load, caches and clock speed moment by moment; which half starts first is drawn per pair; each
half warms up before it is timed; a pair is judged by CPU time unless a half waited or ran
threads (domain/samples.py). Why, from A/A pairs on a loaded 2-core machine (figures in
docs/architecture.md, `benchmarks/false_speedups.py`): halves run at once on two cores, judged by
wall time, do not see the same load (a busy process shares one core, not both), and whole A/A
runs drifted to a median ratio of 1.15; the drawn order makes the sides exchangeable, so under
A/A a ratio is above 1 exactly as often as below, whatever the machine does; and wall time on a
busy machine is mostly the time other processes had the core. Per-pair spread of A/A log ratios
(200 trials under load): 0.235 before, 0.028 with all of this; halves one after the other on one
CPU gave 0.088 (and half the pairs per minute).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from optiagent.domain.measurement import (
    ACCEPT_ALPHA,
    Measurement,
    SequentialPlan,
    plan_looks,
    should_stop,
    summarize_samples,
)
from optiagent.domain.samples import Machine, Pair, Sample
from optiagent.domain.targets import Target
from optiagent.ports.sandbox import Sandbox, SandboxLimits, SandboxStatus
from optiagent.verify.jobs import RESULT_FILE, Evidence, timing_job


class BenchmarkFailed(Exception):
    """A timing sample could not be taken (the code crashed or hung while being timed)."""


@dataclass(frozen=True)
class BenchmarkSettings:
    # Pair counts at which the data are looked at; the last is the most pairs ever taken. At 6
    # pairs no accepting bound fits the spent error budget (2**-6 > 1.1%), so that look can only
    # stop for futility; a clear winner is accepted at 8 pairs (all 8 ratios above the bar).
    looks: tuple[int, ...] = (6, 8, 12, 18)
    alpha: float = ACCEPT_ALPHA  # one-sided false-acceptance budget, spent over the looks
    # A candidate whose single in-process timing (taken by the check job) is below this is not
    # benchmarked at all: a hint may only spare work on losers, never accept anything. The hint is
    # one wall-clock pass per side, the candidate as a twin module: the original timed against
    # itself gave 0.17x-0.88x on pycparser under load (0.77x on a 30 ms pass), so only a clear loser
    # is spared the paired benchmark (which stops a loser at its first look anyway).
    prescreen_floor: float = 0.5
    # Run the two halves of a pair at the same time, on one CPU where the box allows pinning
    # (harness/machine.py). Off (one after the other) and unpinned are kept to measure the
    # difference (false_speedups.py --sequential-pairs, --no-pin): see the module docstring.
    concurrent_pairs: bool = True
    pin_cpu: bool = True
    # Untimed passes before the timed ones, at least one and for at least this long.
    warmup_s: float = 0.02
    # Each sample lasts at least this long. On a loaded 2-core machine, 30 ms samples gave A/A
    # log-ratio spreads of 0.36 (42% of pairs above a 1.05 bar); 100 ms gave 0.18 (29%): the
    # scheduler's unfairness averages out, so the exact test gets both fewer false accepts and
    # more power for a few percent more time per pair (process start-up dominates a sample).
    min_sample_s: float = 0.1
    seed: int | None = None  # of the per-pair order and CPU draws; None: fresh each benchmark
    limits: SandboxLimits = field(default_factory=lambda: SandboxLimits(timeout_s=60.0))

    @property
    def plan(self) -> SequentialPlan:
        return plan_looks(self.looks, self.alpha)


@dataclass(frozen=True)
class _Taken:
    sample: Sample
    affinity: str
    machine: dict[str, Any]


def _sample(
    sandbox: Sandbox,
    target: Target,
    evidence: Evidence,
    source: str | None,
    inputs: bytes,
    repeats: int | None,
    settings: BenchmarkSettings,
    copy_inputs: bool,
    cpu_slot: int | None = None,
) -> _Taken:
    job = timing_job(
        target,
        evidence,
        source,
        inputs,
        repeats,
        settings.limits,
        settings.min_sample_s,
        copy_inputs,
        settings.warmup_s,
        cpu_slot,
    )
    result = sandbox.run(job)
    raw = result.files.get(RESULT_FILE)
    if result.status is not SandboxStatus.OK or raw is None:
        detail = result.stderr.decode("utf-8", "replace")[-300:]
        raise BenchmarkFailed(f"timing sample failed ({result.status.value}): {detail}")
    data = json.loads(raw)
    if "seconds" not in data:
        raise BenchmarkFailed(f"timing sample failed: {data.get('detail', 'no timing')}")
    if not float(data["seconds"]) > 0:
        raise BenchmarkFailed(f"timing sample failed: {data['seconds']} s is not a duration")
    sample = Sample(
        wall_s=float(data["seconds"]),
        cpu_s=float(data.get("cpu_s", 0.0)),
        repeats=int(data["repeats"]),
        warmups=tuple((int(loops), float(value)) for loops, value in data.get("warmups", ())),
        blocks=tuple((int(n), float(wall), float(cpu)) for n, wall, cpu in data.get("blocks", ())),
        voluntary_switches=int(data.get("voluntary_switches", 0)),
        threads=int(data.get("threads", 1)),
        involuntary_switches=int(data.get("involuntary_switches", 0)),
        cpu=data.get("cpu"),
        load_avg=float(data.get("load_avg", 0.0)),
    )
    return _Taken(sample, str(data.get("affinity", "")), dict(data.get("machine") or {}))


def _machine(taken: list[_Taken]) -> Machine | None:
    """The box as the first sample saw it, and how the samples were pinned."""
    facts = taken[0].machine if taken else {}
    if not facts:
        return None
    cpus = sorted({t.sample.cpu for t in taken if t.sample.cpu is not None})
    if len(cpus) == 0:
        affinity = f"not pinned: {taken[0].affinity}"
    else:
        unpinned = [t.affinity for t in taken if t.sample.cpu is None]
        affinity = f"both halves of each pair on one CPU (CPUs {', '.join(map(str, cpus))})"
        affinity += f"; {len(unpinned)} samples not pinned: {unpinned[0]}" if unpinned else ""
    return Machine(
        cpu_model=str(facts.get("cpu_model", "")),
        cpu_count=int(facts.get("cpu_count", 0)),
        usable_cpus=int(facts.get("usable_cpus", 0)),
        python_version=str(facts.get("python_version", "")),
        python_implementation=str(facts.get("python_implementation", "")),
        platform=str(facts.get("platform", "")),
        affinity=affinity,
    )


def measure_speedup(
    sandbox: Sandbox,
    target: Target,
    evidence: Evidence,
    candidate_source: str,
    bench_inputs: bytes,
    min_speedup: float,
    settings: BenchmarkSettings | None = None,
    copy_inputs: bool = True,
    on_pair: Callable[[int, int], None] | None = None,
) -> Measurement:
    """Take pairs (module docstring) and look at the data at the plan's pair counts.

    At each look (`should_stop`): stop when the look's exact sequential lower bound is above the
    bar (accept), when the median is below the bar (futility, which can only reject), or at the
    last look. `decide` then reads the returned measurement; pass it the same `min_speedup`.
    `on_pair(pairs taken, most pairs)` hears about each pair (progress).
    """
    settings = settings or BenchmarkSettings()
    # Calibrated in the box on CPU time, the clock pairs are judged by (the check job's timing
    # of one pass is by the wall clock, far above CPU time on a busy machine).
    calibration = _sample(sandbox, target, evidence, None, bench_inputs, None, settings, copy_inputs)
    repeats = calibration.sample.repeats
    rng = random.Random(settings.seed)
    taken: list[_Taken] = []
    pairs: list[Pair] = []

    def sample(job: tuple[str | None, int | None]) -> _Taken:
        source, slot = job
        return _sample(sandbox, target, evidence, source, bench_inputs, repeats, settings, copy_inputs, slot)

    plan = settings.plan
    pool = ThreadPoolExecutor(max_workers=2) if settings.concurrent_pairs else None
    try:
        for _ in range(plan.max_pairs):
            slot = rng.randrange(1 << 16) if settings.pin_cpu else None  # the box takes it modulo its CPUs
            original_first = rng.random() < 0.5
            order = [(None, slot), (candidate_source, slot)]
            if not original_first:
                order.reverse()
            if pool is not None:
                first, second = pool.map(sample, order)
            else:
                first, second = sample(order[0]), sample(order[1])
            o_taken, c_taken = (first, second) if original_first else (second, first)
            taken += (o_taken, c_taken)
            pairs.append(Pair(o_taken.sample, c_taken.sample, "original" if original_first else "candidate"))
            if on_pair is not None:
                on_pair(len(pairs), plan.max_pairs)
            if len(pairs) in plan.looks:
                measurement = summarize_samples(pairs, plan=plan, machine=_machine(taken))
                if should_stop(measurement, plan, min_speedup):
                    return measurement
    finally:
        if pool is not None:
            pool.shutdown()
    raise AssertionError("the last look always stops")  # pragma: no cover
