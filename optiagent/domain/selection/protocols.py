"""The CodeT-repo and B4-repo evaluation protocols (section 2 table) over executed tasks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from optiagent.domain.selection.codet import rank_codet
from optiagent.domain.selection.matrix import PassMatrix, Ranking, Row
from optiagent.domain.selection.ranking import estimate_pass_at_k, evaluate_ranking

Selector = Callable[[PassMatrix], Ranking]


@dataclass(frozen=True)
class ExecutedTask:
    """One task after execution, over its unique programs and unique tests.

    `program_counts[i]`: how often unique program i was sampled; `test_counts[j]`: how often
    unique test j was generated; `rows[i]`: program i's 0/1 row, or None if its test run did not
    complete (it can never be selected); `correct[i]`: the ground-truth verdict.
    """

    task_id: str
    program_counts: tuple[int, ...]
    test_counts: tuple[int, ...]
    rows: tuple[Row | None, ...]
    correct: tuple[bool, ...]

    @property
    def n_samples(self) -> int:
        return sum(self.program_counts)

    @property
    def n_correct_samples(self) -> int:
        return sum(count for count, ok in zip(self.program_counts, self.correct, strict=True) if ok)


def sample_pass_at_k(task: ExecutedTask, k: int) -> float:
    """Plain random-sampling pass@k of the task's samples (duplicates counted)."""
    return estimate_pass_at_k(task.n_samples, task.n_correct_samples, k)


def evaluate_codet_protocol(task: ExecutedTask, k: int) -> float:
    """CodeT harness: rows are sample instances, columns test instances; only programs whose run
    completed and that pass >= 1 test are ranked; no ranked group -> random-sampling pass@k."""
    kept = [i for i, row in enumerate(task.rows) if row is not None and any(row)]
    if not kept:
        return sample_pass_at_k(task, k)
    rows = [row for i in kept if (row := task.rows[i]) is not None]
    matrix = PassMatrix.from_rows(
        rows, len(task.test_counts), [task.program_counts[i] for i in kept], task.test_counts
    )
    ranking = rank_codet(matrix, include_failing=False)
    return evaluate_ranking(ranking, [task.correct[i] for i in kept], k, matrix.program_weights)


@dataclass(frozen=True)
class DedupTask:
    """B4 protocol view of a task: unique executed programs x unique tests."""

    matrix: PassMatrix
    correct: tuple[bool, ...]

    @property
    def fraction_correct(self) -> float:
        return sum(self.correct) / len(self.correct) if self.correct else 0.0


def to_dedup_task(task: ExecutedTask) -> DedupTask:
    """Every unique program whose test run produced a row (all-zero rows included), weights 1."""
    executed = [(row, ok) for row, ok in zip(task.rows, task.correct, strict=True) if row is not None]
    matrix = PassMatrix.from_rows([row for row, _ in executed], len(task.test_counts))
    return DedupTask(matrix, tuple(ok for _, ok in executed))


def evaluate_b4_protocol(
    tasks: Sequence[DedupTask], selectors: Mapping[str, Selector], max_px: float
) -> dict[str, int | float]:
    """Mean pass@1 (percent) of each selector over tasks with 0 < fraction correct < max_px."""
    chosen = [task for task in tasks if 0.0 < task.fraction_correct < max_px]
    table: dict[str, int | float] = {"n_tasks": len(chosen)}
    for name, select in selectors.items():
        scores = [evaluate_ranking(select(task.matrix), task.correct, 1) for task in chosen]
        table[name] = 100.0 * sum(scores) / len(scores) if scores else float("nan")
    return table
