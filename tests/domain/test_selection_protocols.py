"""CodeT's sample post-processing and the two evaluation protocols (section 2 table)."""

from __future__ import annotations

import math

import pytest

from optiagent.domain.selection import rank_codet, rank_random
from optiagent.domain.selection.extraction import extract_test_cases, truncate_at_stop_strings
from optiagent.domain.selection.matrix import PassMatrix
from optiagent.domain.selection.protocols import (
    ExecutedTask,
    evaluate_b4_protocol,
    evaluate_codet_protocol,
    sample_pass_at_k,
    to_dedup_task,
)


def test_completion_is_cut_at_the_first_stop_string() -> None:
    """Truncation keeps the text before the earliest of the stop strings, whichever it is."""
    text = "    return 1\nprint(f())\ndef g():\n    pass\n"
    assert truncate_at_stop_strings(text) == "    return 1"
    assert truncate_at_stop_strings("    x = 1\n\n# done\nclass A: pass") == "    x = 1\n"


def test_test_extraction_keeps_valid_asserts_on_the_entry_point() -> None:
    """Pieces mentioning the entry point that compile are kept (each cut at stop strings), at most five."""
    sample = "f(1) == 2\nassert g(1) == 3\nassert f(2) ==\nassert \nassert f(3) == 4, 'msg'\n# end\nassert f(9) == 10"
    assert extract_test_cases(sample, "f") == [
        "assert f(1) == 2",
        "assert f(3) == 4, 'msg'",
        "assert f(9) == 10",
    ]
    many = "\nassert ".join(f"f({i}) == {i}" for i in range(8))
    assert extract_test_cases(many, "f") == [f"assert f({i}) == {i}" for i in range(5)]


def test_extraction_keeps_trailing_module_level_lines() -> None:
    """No stop string covers `from ... import`, so it stays attached to the assert (CodeT quirk)."""
    assert extract_test_cases("f(1) == 2\nfrom math import *\n", "f") == [
        "assert f(1) == 2\nfrom math import *"
    ]


TASK = ExecutedTask(
    task_id="T/0",
    program_counts=(3, 1, 2, 4),
    test_counts=(2, 1),
    rows=((1, 1), (1, 0), (0, 0), None),
    correct=(True, False, True, False),
)


def test_codet_protocol_ranks_sample_instances_that_pass_a_test() -> None:
    """Only programs with a completed, non-zero row are ranked; weights count duplicates."""
    assert evaluate_codet_protocol(TASK, 1) == pytest.approx(1.0)  # 3 tests x sqrt(3) beats 2 x 1
    rows_flipped = ExecutedTask("T/1", (1, 3), (1, 1), ((1, 1), (1, 0)), (False, True))
    assert rank_codet_score_order(rows_flipped) == [2.0, math.sqrt(3)]
    assert evaluate_codet_protocol(rows_flipped, 2) == pytest.approx(1.0)


def rank_codet_score_order(task: ExecutedTask) -> list[float]:
    rows = [row for row in task.rows if row is not None]
    matrix = PassMatrix.from_rows(rows, len(task.test_counts), task.program_counts, task.test_counts)
    return [group.score for group in rank_codet(matrix, include_failing=False)]


def test_codet_protocol_falls_back_to_sampling_without_ranked_programs() -> None:
    """A task where nothing passes a generated test scores its plain sampling pass@k."""
    task = ExecutedTask("T/2", (5, 5), (1,), ((0,), None), (True, False))
    assert evaluate_codet_protocol(task, 1) == pytest.approx(sample_pass_at_k(task, 1)) == pytest.approx(0.5)


def test_b4_protocol_keeps_executed_unique_programs_and_filters_tasks_by_max_px() -> None:
    """Unique executed rows (zeros included) with weight 1; tasks need 0 < p_x < max_px."""
    dedup = to_dedup_task(TASK)
    assert dedup.matrix.rows == ((1, 1), (1, 0), (0, 0))
    assert dedup.fraction_correct == pytest.approx(2 / 3)
    all_right = to_dedup_task(ExecutedTask("T/3", (1,), (1,), ((1,),), (True,)))
    table = evaluate_b4_protocol([dedup, all_right], {"Random": rank_random}, max_px=1.0)
    assert table == {"n_tasks": 1, "Random": pytest.approx(100 * 2 / 3)}
    assert evaluate_b4_protocol([dedup, all_right], {"Random": rank_random}, max_px=0.6)["n_tasks"] == 0
