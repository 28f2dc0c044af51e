"""Exercise the recursive solvers on deterministic inputs."""

import random

from ex_dynprog import closest_word, coin_change_ways, edit_distance, fibonacci, partitions


def main() -> None:
    rng = random.Random(2718)
    print("fib(26) =", fibonacci(26))
    print("ways to make 250 from (50, 25, 10, 5, 1):", coin_change_ways(250, (50, 25, 10, 5, 1)))
    print("partitions(45) =", partitions(45, 45))
    letters = "abcdefgh"
    dictionary = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 7))) for _ in range(40)]
    for _ in range(3):
        word = "".join(rng.choice(letters) for _ in range(6))
        print("closest to", word, "is", closest_word(word, dictionary))
    print("distance kitten/sitting:", edit_distance("kitten", "sitting"))


if __name__ == "__main__":
    main()
