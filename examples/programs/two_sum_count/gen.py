"""Write the input cases for two_sum_count (deterministic)."""

import random
from pathlib import Path

HERE = Path(__file__).parent


def case(rng: random.Random, n: int, spread: int) -> str:
    values = [rng.randrange(-spread, spread) for _ in range(n)]
    target = rng.randrange(-spread // 2, spread // 2)
    return f"{n} {target}\n{' '.join(map(str, values))}\n"


def main() -> None:
    rng = random.Random(1)
    (HERE / "case1.in").write_text("5 6\n1 5 3 3 2\n")
    (HERE / "case2.in").write_text(case(rng, 300, 100))
    (HERE / "case3.in").write_text(case(rng, 2000, 1000))


if __name__ == "__main__":
    main()
