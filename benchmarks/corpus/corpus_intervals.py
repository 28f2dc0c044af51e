"""Interval arithmetic."""


def merge_intervals(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    items = sorted((min(a, b), max(a, b)) for a, b in intervals)
    out: list[tuple[int, int]] = []
    for start, end in items:
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def total_covered(intervals: list[tuple[int, int]]) -> int:
    total = 0
    for start, end in merge_intervals(intervals):
        total += end - start
    return total


def intersection(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    start = max(a[0], b[0])
    end = min(a[1], b[1])
    if start >= end:
        return (0, 0)
    return (start, end)


def contains_point(intervals: list[tuple[int, int]], point: int) -> bool:
    for start, end in intervals:
        if start <= point < end:
            return True
    return False


def max_overlap(intervals: list[tuple[int, int]]) -> int:
    events = []
    for start, end in intervals:
        if start < end:
            events.append((start, 1))
            events.append((end, -1))
    events.sort()
    best = 0
    current = 0
    for _, delta in events:
        current += delta
        if current > best:
            best = current
    return best


def gaps(intervals: list[tuple[int, int]], low: int, high: int) -> list[tuple[int, int]]:
    out = []
    cursor = low
    for start, end in merge_intervals(intervals):
        if end <= cursor:
            continue
        if start > high:
            break
        if start > cursor:
            out.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < high:
        out.append((cursor, high))
    return out
