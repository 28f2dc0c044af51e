"""Number-theory workload over deterministic inputs."""

import random

from ex_primes import count_primes_in_range, goldbach_pairs, prime_factors, primes_below


def main() -> None:
    rng = random.Random(97)
    primes = primes_below(9000)
    print("primes below 9000:", len(primes), "largest:", primes[-1])
    evens = [2 * rng.randrange(1000, 4500) for _ in range(25)]
    print("goldbach pair counts:", [len(goldbach_pairs(n, primes)) for n in evens])
    numbers = [rng.randrange(10**9, 10**10) for _ in range(40)]
    print("factorisations:", [prime_factors(n) for n in numbers[:4]])
    print("sum of largest factors:", sum(max(prime_factors(n)) for n in numbers))
    print("primes in [10**6, 10**6 + 12000):", count_primes_in_range(10**6, 10**6 + 12000))


if __name__ == "__main__":
    main()
