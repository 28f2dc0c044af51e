"""List algorithms."""

from typing import Optional


def binary_search(items: list[int], target: int) -> int:
    data = sorted(items)
    lo = 0
    hi = len(data) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if data[mid] == target:
            return mid
        if data[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1


def chunk(items: list[int], size: int) -> list[list[int]]:
    if size <= 0:
        return []
    out = []
    for start in range(0, len(items), size):
        out.append(items[start : start + size])
    return out


def dedupe_keep_order(items: list[int]) -> list[int]:
    seen = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def rotate_left(items: list[int], k: int) -> list[int]:
    if not items:
        return []
    k = k % len(items)
    return items[k:] + items[:k]


def second_largest(items: list[int]) -> Optional[int]:
    best = None
    second = None
    for x in items:
        if best is None or x > best:
            second = best
            best = x
        elif x != best and (second is None or x > second):
            second = x
    return second


def merge_sorted(a: list[int], b: list[int]) -> list[int]:
    xs = sorted(a)
    ys = sorted(b)
    out = []
    i = 0
    j = 0
    while i < len(xs) and j < len(ys):
        if xs[i] <= ys[j]:
            out.append(xs[i])
            i += 1
        else:
            out.append(ys[j])
            j += 1
    out.extend(xs[i:])
    out.extend(ys[j:])
    return out


def longest_increasing_run(items: list[int]) -> int:
    if not items:
        return 0
    best = 1
    run = 1
    for i in range(1, len(items)):
        if items[i] > items[i - 1]:
            run += 1
            if run > best:
                best = run
        else:
            run = 1
    return best
