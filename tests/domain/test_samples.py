"""Raw samples: which clock a pair is judged by, and that the rule favours neither side."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from optiagent.domain.measurement import plan_looks, summarize_samples
from optiagent.domain.samples import Pair, Sample

seconds = st.floats(min_value=1e-5, max_value=1.0)
samples = st.builds(
    Sample,
    wall_s=seconds,
    cpu_s=seconds,
    repeats=st.integers(1, 100),
    voluntary_switches=st.integers(0, 3),
    threads=st.integers(1, 3),
)


def test_pair_of_quiet_single_threaded_halves_is_judged_by_cpu_time() -> None:
    """Wall time of a process that never waited is its CPU time plus other processes' turns."""
    pair = Pair(
        Sample(wall_s=0.9, cpu_s=0.2, repeats=5), Sample(wall_s=0.3, cpu_s=0.1, repeats=5), "original"
    )
    assert pair.clock == "cpu" and pair.ratio == 2.0


def test_a_half_that_waited_or_ran_threads_puts_the_pair_on_wall_time() -> None:
    """Sleeping, I/O or a thread pool cost what the thread's CPU clock does not see."""
    quiet = Sample(wall_s=0.4, cpu_s=0.2, repeats=5)
    waited = Sample(wall_s=0.2, cpu_s=0.01, repeats=5, voluntary_switches=40)
    threaded = Sample(wall_s=0.2, cpu_s=0.01, repeats=5, threads=3)
    for other in (waited, threaded):
        assert Pair(quiet, other, "original").clock == "wall"
        assert Pair(other, quiet, "candidate").clock == "wall"
        assert Pair(quiet, other, "original").ratio == 2.0  # not 20x by the blind CPU clock


@given(samples, samples)
def test_clock_rule_is_symmetric(original: Sample, candidate: Sample) -> None:
    """Swapping the sides swaps the ratio for its reciprocal: the rule cannot favour either."""
    forward, backward = Pair(original, candidate, "original"), Pair(candidate, original, "original")
    assert forward.clock == backward.clock
    assert abs(forward.ratio * backward.ratio - 1.0) < 1e-9


def test_summary_uses_each_pairs_clock_and_keeps_the_samples() -> None:
    """The median ratio is over per-pair clocks; the raw pairs travel with the measurement."""
    fast = Sample(wall_s=1.0, cpu_s=0.1, repeats=3)
    slow = Sample(wall_s=1.0, cpu_s=0.3, repeats=3)
    pairs = [Pair(slow, fast, "original" if i % 3 else "candidate") for i in range(8)]
    measurement = summarize_samples(pairs, plan=plan_looks((6, 8, 12, 18)))
    assert abs(measurement.speedup - 3.0) < 1e-9
    assert measurement.pairs == tuple(pairs) and measurement.samples == 8
