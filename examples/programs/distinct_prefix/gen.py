"""Write the input cases for distinct_prefix (deterministic)."""

import random
from pathlib import Path

HERE = Path(__file__).parent


def case(rng: random.Random, n: int, spread: int) -> str:
    return f"{n}\n{' '.join(str(rng.randrange(spread)) for _ in range(n))}\n"


def main() -> None:
    rng = random.Random(5)
    (HERE / "case1.in").write_text("6\n3 1 3 2 1 5\n")
    (HERE / "case2.in").write_text(case(rng, 1000, 300))
    (HERE / "case3.in").write_text(case(rng, 12000, 8000))


if __name__ == "__main__":
    main()
