"""Synthetic tasks from B4's generative model (section 3.5) to measure selectors (section 9)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from optiagent.domain.selection.matrix import PassMatrix, Ranking
from optiagent.domain.selection.ranking import evaluate_ranking

Selector = Callable[[PassMatrix], Ranking]


@dataclass(frozen=True)
class SimulationParameters:
    """Defaults are the B4 repo's simulator settings."""

    n_programs: int = 10
    n_tests: int = 30
    theta_x: float = 0.2  # P(program correct)
    theta_y: float = 0.3  # P(test correct)
    theta_0: float = 0.1  # P(incorrect program passes incorrect test)
    theta_1: float = 0.4  # P(incorrect program passes correct test)


@dataclass(frozen=True)
class SimulatedTask:
    matrix: PassMatrix
    correct: tuple[bool, ...]


def _pass_probability(program_ok: bool, test_ok: bool, params: SimulationParameters) -> float:
    if program_ok:
        return 1.0 if test_ok else 0.0
    return params.theta_1 if test_ok else params.theta_0


def draw_task(rng: random.Random, params: SimulationParameters) -> SimulatedTask:
    """One (x, E) draw, redrawn until some but not all programs are correct."""
    while True:
        correct = tuple(rng.random() < params.theta_x for _ in range(params.n_programs))
        if any(correct) and not all(correct):
            break
    tests_ok = [rng.random() < params.theta_y for _ in range(params.n_tests)]
    rows = [
        [int(rng.random() < _pass_probability(ok, test_ok, params)) for test_ok in tests_ok] for ok in correct
    ]
    return SimulatedTask(PassMatrix.from_rows(rows, params.n_tests), correct)


def draw_tasks(seed: int, draws: int, params: SimulationParameters | None = None) -> list[SimulatedTask]:
    """`draws` tasks from a generator seeded with `seed` (same seed, same tasks)."""
    rng = random.Random(seed)
    chosen = params or SimulationParameters()
    return [draw_task(rng, chosen) for _ in range(draws)]


def measure_top1_accuracy(selector: Selector, tasks: list[SimulatedTask]) -> float:
    """Mean pass@1 of the selector's ranking (ties broken uniformly at random) over the tasks."""
    if not tasks:
        raise ValueError("need at least one task")
    return sum(evaluate_ranking(selector(task.matrix), task.correct, 1) for task in tasks) / len(tasks)
