"""Grid / matrix helpers."""


def transpose(grid: list[list[int]]) -> list[list[int]]:
    if not grid:
        return []
    width = min(len(row) for row in grid)
    return [[grid[r][c] for r in range(len(grid))] for c in range(width)]


def row_sums(grid: list[list[int]]) -> list[int]:
    out = []
    for row in grid:
        total = 0
        for value in row:
            total += value
        out.append(total)
    return out


def diagonal(grid: list[list[int]]) -> list[int]:
    out = []
    for i in range(len(grid)):
        if i < len(grid[i]):
            out.append(grid[i][i])
        else:
            break
    return out


def count_positive(grid: list[list[int]]) -> int:
    count = 0
    for row in grid:
        for value in row:
            if value > 0:
                count += 1
    return count


def max_in_window(values: list[int], k: int) -> list[int]:
    if k <= 0 or k > len(values):
        return []
    out = []
    for i in range(len(values) - k + 1):
        out.append(max(values[i : i + k]))
    return out


def prefix_sums(values: list[int]) -> list[int]:
    out = [0]
    for v in values:
        out.append(out[-1] + v)
    return out
