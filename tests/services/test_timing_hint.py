"""The check job's first timing (one wall-clock pass per side) only rejects a candidate when the
original's pass took long enough to tell: on microseconds it is noise (idna's intranges_contain:
a 0.26x hint, 1.02x when benchmarked in pairs)."""

from __future__ import annotations

from optiagent.domain.verdicts import Equivalent
from optiagent.services.agent_ports import validation_of
from optiagent.services.benchmarking import BenchmarkSettings
from optiagent.services.target_run import benchmark_order, hint_rejects
from optiagent.verify.verdicts import MIN_HINT_S, CheckOutcome


def outcome(hint: float | None, original_s: float | None) -> CheckOutcome:
    return CheckOutcome(Equivalent(), prescreen_speedup=hint, original_bench_s=original_s)


def test_a_slowhint_rejects_only_on_enough_time() -> None:
    assert hint_rejects(outcome(0.5, 10 * MIN_HINT_S), 0.85)
    assert not hint_rejects(outcome(0.26, 1e-5), 0.85)  # a 10 us pass: benchmark it instead
    assert not hint_rejects(outcome(0.5, None), 0.85)
    assert not hint_rejects(outcome(0.9, 10 * MIN_HINT_S), 0.85)
    assert not hint_rejects(outcome(None, 10 * MIN_HINT_S), 0.85)


def test_the_default_floor_spares_only_clear_losers() -> None:
    """The original checked against itself showed first timings of 0.65x-0.88x (pycparser, under
    load): such a hint must not keep a candidate from its paired benchmark."""
    floor = BenchmarkSettings().prescreen_floor
    assert not hint_rejects(outcome(0.77, 0.03), floor)
    assert hint_rejects(outcome(0.3, 0.03), floor)


def test_agents_see_no_first_timing_from_a_pass_too_short_to_time() -> None:
    """An agent told "0.18x" from a 2 us pass would repair a correct, faster candidate."""
    assert validation_of(outcome(0.18, MIN_HINT_S / 1000)).speedup_hint is None
    assert validation_of(outcome(0.5, 10 * MIN_HINT_S)).speedup_hint == 0.5


def test_a_candidate_without_a_hint_is_not_put_behind_one_that_timed_no_faster() -> None:
    """The check of a set-based rewrite spent its budget and left no hint; a rewrite that timed
    0.97x must not be benchmarked before it (past a target's budget only the first one is)."""
    outcomes = [outcome(None, None), outcome(0.97, 0.03), outcome(1.4, 0.03), outcome(1.0, 0.03)]
    assert benchmark_order(outcomes) == [2, 3, 0, 1]


def test_without_a_first_timing_the_slowest_inputs_ratio_stands_in() -> None:
    """A check that ran out of time before its first timing still timed both sides on the inputs
    it checked: 0.5 s against 1 ms on the slowest is promise enough; 1 us against 1 us is noise."""
    set_based = CheckOutcome(
        Equivalent(), slowest={"source": "stress", "original_s": 0.5, "candidate_s": 0.001}
    )
    tiny = CheckOutcome(Equivalent(), slowest={"source": "captured", "original_s": 1e-6, "candidate_s": 5e-7})
    outcomes = [outcome(1.3, 0.03), tiny, set_based]
    assert benchmark_order(outcomes) == [2, 0, 1]
