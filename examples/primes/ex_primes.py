"""Elementary number theory helpers: primality, factorisation, Goldbach pairs."""

import math


def is_prime(n: int) -> bool:
    """Trial division primality test."""
    if n < 2:
        return False
    for d in range(2, int(math.sqrt(n)) + 1):
        if n % d == 0:
            return False
    return True


def primes_below(limit: int) -> list[int]:
    """All primes smaller than ``limit``, by trial division against the primes found so far."""
    primes: list[int] = []
    for n in range(2, limit):
        if all([n % p != 0 for p in primes if p * p <= n]):
            primes.append(n)
    return primes


def prime_factors(n: int) -> list[int]:
    """Prime factors of n with multiplicity, smallest first."""
    factors = []
    d = 2
    while d * d <= n:
        while n % d == 0:
            factors.append(d)
            n //= d
        d += 1
    if n > 1:
        factors.append(n)
    return factors


def goldbach_pairs(n: int, primes: list[int]) -> list[tuple[int, int]]:
    """Pairs (p, q) with p <= q, both in ``primes``, and p + q == n."""
    pairs = []
    for p in primes:
        if p > n // 2:
            break
        if n - p in primes:
            pairs.append((p, n - p))
    return pairs


def count_primes_in_range(low: int, high: int) -> int:
    """How many primes lie in [low, high)."""
    return sum([1 for n in range(low, high) if is_prime(n)])
