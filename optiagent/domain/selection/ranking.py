"""Evaluating rankings (section 2): tie merging, round-robin draws, pass@k; unbiased pass@k."""

from __future__ import annotations

from collections.abc import Sequence

from optiagent.domain.selection.matrix import Ranking


def estimate_pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k (Codex estimator): 1 - C(n-c, k) / C(n, k) for n samples, c correct."""
    if not 0 <= c <= n or k < 1:
        raise ValueError(f"need 0 <= c <= n and k >= 1, got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    all_wrong = 1.0
    for i in range(n - c + 1, n + 1):
        all_wrong *= 1.0 - k / i
    return 1.0 - all_wrong


def merge_tied_groups(ranking: Ranking) -> list[tuple[int, ...]]:
    """Consecutive groups with exactly equal scores become one group (ties broken at random)."""
    merged: list[tuple[int, ...]] = []
    last_score: float | None = None
    for group in ranking:
        if merged and group.score == last_score:
            merged[-1] = merged[-1] + group.members
        else:
            merged.append(group.members)
        last_score = group.score
    return merged


def allot_draws(n_groups: int, k: int) -> list[int]:
    """Draws per merged group for pass@k: one each from the first k groups; with fewer than k
    groups the extra draws go round-robin from the top group."""
    if n_groups < 1:
        raise ValueError("cannot draw from an empty ranking")
    draws = [1] * min(n_groups, k)
    for extra in range(k - len(draws)):
        draws[extra % n_groups] += 1
    return draws


def evaluate_ranking(
    ranking: Ranking,
    correct: Sequence[bool],
    k: int = 1,
    weights: Sequence[int] = (),
) -> float:
    """Probability that at least one of k draws from the ranking is correct.

    `correct[i]` is the ground truth for program i; `weights[i]` its multiplicity (default 1), so
    a group's size and number correct count program instances. Draws within a group are with
    replacement: P(all wrong) = prod_g ((n_g - c_g) / n_g) ** draws_g.
    """
    merged = merge_tied_groups(ranking)
    all_wrong = 1.0
    for members, draws in zip(merged, allot_draws(len(merged), k), strict=False):
        size = sum(weights[i] if weights else 1 for i in members)
        right = sum((weights[i] if weights else 1) for i in members if correct[i])
        all_wrong *= ((size - right) / size) ** draws
    return 1.0 - all_wrong
