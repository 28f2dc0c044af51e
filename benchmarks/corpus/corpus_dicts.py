"""Dict aggregation."""

from typing import Optional


def word_counts(words: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in words:
        key = word.lower()
        counts[key] = counts.get(key, 0) + 1
    return counts


def group_by_length(words: list[str]) -> dict[int, list[str]]:
    groups: dict[int, list[str]] = {}
    for word in words:
        groups.setdefault(len(word), []).append(word)
    return groups


def invert(mapping: dict[str, int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for key in sorted(mapping):
        out.setdefault(mapping[key], []).append(key)
    return out


def top_k(counts: dict[str, int], k: int) -> list[str]:
    if k <= 0:
        return []
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [key for key, _ in ranked[:k]]


def merge_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0) + value
    return out


def filter_threshold(counts: dict[str, int], minimum: int) -> dict[str, int]:
    out = {}
    for key, value in counts.items():
        if value >= minimum:
            out[key] = value
    return out


def most_common_key(counts: dict[str, int]) -> Optional[str]:
    best = None
    best_value = 0
    for key, value in counts.items():
        if best is None or value > best_value or (value == best_value and key < best):
            best = key
            best_value = value
    return best
