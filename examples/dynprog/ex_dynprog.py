"""Classic counting and distance problems, written straight from their recurrences."""


def fibonacci(n: int) -> int:
    """The n-th Fibonacci number (fibonacci(0) == 0)."""
    if n < 2:
        return n
    return fibonacci(n - 1) + fibonacci(n - 2)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions all cost 1."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    if a[0] == b[0]:
        return edit_distance(a[1:], b[1:])
    return 1 + min(
        edit_distance(a[1:], b),
        edit_distance(a, b[1:]),
        edit_distance(a[1:], b[1:]),
    )


def coin_change_ways(amount: int, coins: tuple[int, ...]) -> int:
    """Number of ways to make ``amount`` from unlimited coins of the given denominations."""
    if amount == 0:
        return 1
    if amount < 0 or not coins:
        return 0
    return coin_change_ways(amount - coins[0], coins) + coin_change_ways(amount, coins[1:])


def partitions(n: int, largest: int) -> int:
    """Number of ways to write n as a sum of positive parts no bigger than ``largest``."""
    if n == 0:
        return 1
    if n < 0 or largest == 0:
        return 0
    return partitions(n - largest, largest) + partitions(n, largest - 1)


def closest_word(word: str, dictionary: list[str]) -> str:
    """The dictionary entry with the smallest edit distance to ``word`` (first one on ties)."""
    best = dictionary[0]
    best_distance = edit_distance(word, best)
    for candidate in dictionary[1:]:
        distance = edit_distance(word, candidate)
        if distance < best_distance:
            best, best_distance = candidate, distance
    return best
