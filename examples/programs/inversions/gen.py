"""Write the input cases for inversions (deterministic)."""

import random
from pathlib import Path

HERE = Path(__file__).parent


def case(rng: random.Random, n: int) -> str:
    values = [rng.randrange(10**6) for _ in range(n)]
    return f"{n}\n" + "".join(f"{v}\n" for v in values)


def main() -> None:
    rng = random.Random(2)
    (HERE / "case1.in").write_text("5\n2\n4\n1\n3\n5\n")
    (HERE / "case2.in").write_text(case(rng, 400))
    (HERE / "case3.in").write_text(case(rng, 1900))


if __name__ == "__main__":
    main()
