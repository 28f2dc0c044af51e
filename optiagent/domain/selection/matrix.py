"""The passing matrix E (programs x tests, 0/1) and the ranked groups every selector returns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Row = tuple[int, ...]


@dataclass(frozen=True)
class PassMatrix:
    """`rows[i][j] == 1` iff program i passed test j. Optional integer multiplicities.

    `program_weights[i]` is how many times program i was sampled (CodeT protocol keeps
    duplicates); `test_weights[j]` how many times test j was generated. Both default to 1.
    """

    rows: tuple[Row, ...]
    n_tests: int
    program_weights: tuple[int, ...] = ()
    test_weights: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if any(len(row) != self.n_tests for row in self.rows):
            raise ValueError("every row must have n_tests entries")
        if any(value not in (0, 1) for row in self.rows for value in row):
            raise ValueError("passing matrix entries must be 0 or 1")
        if self.program_weights and len(self.program_weights) != len(self.rows):
            raise ValueError("program_weights must have one weight per row")
        if self.test_weights and len(self.test_weights) != self.n_tests:
            raise ValueError("test_weights must have one weight per test")

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[Sequence[int]],
        n_tests: int | None = None,
        program_weights: Sequence[int] = (),
        test_weights: Sequence[int] = (),
    ) -> PassMatrix:
        frozen = tuple(tuple(int(v) for v in row) for row in rows)
        width = n_tests if n_tests is not None else (len(frozen[0]) if frozen else 0)
        return cls(frozen, width, tuple(program_weights), tuple(test_weights))

    @property
    def n_programs(self) -> int:
        return len(self.rows)

    def program_weight(self, index: int) -> int:
        return self.program_weights[index] if self.program_weights else 1

    def test_weight(self, index: int) -> int:
        return self.test_weights[index] if self.test_weights else 1

    def weighted_row_sum(self, row: Row) -> int:
        """Number of test instances a row passes (duplicated tests count their multiplicity)."""
        return sum(self.test_weight(j) for j, value in enumerate(row) if value)


@dataclass(frozen=True)
class RankedGroup:
    """Programs (row indices) a selector treats as interchangeable, with the group's score."""

    members: tuple[int, ...]
    score: float


Ranking = tuple[RankedGroup, ...]


def group_identical_rows(matrix: PassMatrix) -> dict[Row, list[int]]:
    """Consensus sets: program indices grouped by identical row, in first-occurrence order."""
    groups: dict[Row, list[int]] = {}
    for index, row in enumerate(matrix.rows):
        groups.setdefault(row, []).append(index)
    return groups


def sort_groups(groups: Iterable[RankedGroup]) -> Ranking:
    """Best first; a stable sort, so equal scores keep their input order (the evaluator merges them)."""
    return tuple(sorted(groups, key=lambda group: group.score, reverse=True))
