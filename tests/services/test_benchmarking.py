"""The sequential benchmark in real sandboxed processes: where it stops and what it decides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.measurement import Accepted, Rejected, decide
from optiagent.domain.targets import Target, TargetKind
from optiagent.domain.verdicts import Equivalent
from optiagent.services.benchmarking import BenchmarkSettings, measure_speedup
from optiagent.verify.jobs import CheckSettings, Evidence, check_job
from optiagent.verify.verdicts import read_check

# The original wastes a fixed amount of work per call; whatever the inputs, the faster candidate
# skips it and the slower one triples it.
ORIGINAL = """
def doubled(x: int) -> int:
    for _ in range(100_000):
        pass
    return x * 2
"""
FASTER = """
def doubled(x: int) -> int:
    return x * 2
"""
SLOWER = """
def doubled(x: int) -> int:
    for _ in range(300_000):
        pass
    return x * 2
"""
TARGET = Target(file="bench_mod.py", qualname="doubled", kind=TargetKind.FUNCTION)
BAR = 1.05


@pytest.fixture(scope="module")
def box() -> Iterator[LocalSandbox]:
    sandbox = LocalSandbox()
    yield sandbox
    sandbox.close()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, box: LocalSandbox) -> tuple[Evidence, bytes]:
    """A one-function module and the benchmark inputs its check job wrote."""
    root = tmp_path_factory.mktemp("bench")
    (Path(root) / "bench_mod.py").write_text(ORIGINAL)
    evidence = Evidence(root=str(root), base_dir=".", module_name="bench_mod")
    outcome = read_check(box.run(check_job(TARGET, evidence, [ORIGINAL], CheckSettings(max_examples=20))))
    assert isinstance(outcome.verdict, Equivalent)
    return evidence, outcome.bench_inputs


def test_clear_winner_is_accepted_at_eight_pairs_not_six(
    box: LocalSandbox, project: tuple[Evidence, bytes]
) -> None:
    """A candidate faster on every pair by a wide margin is accepted at the first accepting look: 8 pairs."""
    evidence, inputs = project
    measurement = measure_speedup(box, TARGET, evidence, FASTER, inputs, BAR, BenchmarkSettings())
    assert measurement.samples == 8
    assert isinstance(decide(measurement, BAR), Accepted)
    assert measurement.ci_low >= measurement.accept_low > BAR


def test_slower_candidate_stops_for_futility_at_six_pairs(
    box: LocalSandbox, project: tuple[Evidence, bytes]
) -> None:
    """A candidate doing the work three times over stops at the first look, rejected."""
    evidence, inputs = project
    measurement = measure_speedup(box, TARGET, evidence, SLOWER, inputs, BAR, BenchmarkSettings())
    assert measurement.samples == 6 and measurement.speedup < 1.0
    assert isinstance(decide(measurement, BAR), Rejected)


def test_looks_off_a_schedule_are_refused() -> None:
    """Looks must be increasing pair counts: a schedule out of order is a configuration error."""
    with pytest.raises(ValueError, match="increasing"):
        _ = BenchmarkSettings(looks=(12, 6)).plan


def test_pairs_keep_raw_samples_on_one_cpu_in_a_drawn_order(
    box: LocalSandbox, project: tuple[Evidence, bytes]
) -> None:
    """Every pair keeps both samples (warm-up first, same passes, one CPU for both halves where
    pinning works), the order is drawn per pair, and the measurement says where it ran."""
    evidence, inputs = project
    settings = BenchmarkSettings(looks=(12,), seed=7)
    measurement = measure_speedup(box, TARGET, evidence, FASTER, inputs, BAR, settings)
    assert len(measurement.pairs) == 12
    assert {pair.first for pair in measurement.pairs} == {"original", "candidate"}
    for pair in measurement.pairs:
        assert pair.original.warmups and pair.candidate.warmups
        assert pair.original.repeats == pair.candidate.repeats
        assert pair.original.cpu == pair.candidate.cpu
        assert pair.clock == "cpu"  # neither half waits or starts threads
    machine = measurement.machine
    assert machine is not None and machine.python_version and machine.cpu_count >= 1
    pinned = {pair.original.cpu for pair in measurement.pairs} != {None}
    assert pinned == machine.affinity.startswith("both halves"), machine.affinity
