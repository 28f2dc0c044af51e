"""Write the input cases for reachability (deterministic)."""

import random
from pathlib import Path

HERE = Path(__file__).parent


def case(rng: random.Random, n: int, m: int, q: int) -> str:
    lines = [f"{n} {m}"]
    for _ in range(m):
        lines.append(f"{rng.randint(1, n)} {rng.randint(1, n)}")
    lines.append(str(q))
    lines.extend(str(rng.randint(1, n)) for _ in range(q))
    return "\n".join(lines) + "\n"


def main() -> None:
    rng = random.Random(3)
    (HERE / "case1.in").write_text("4 3\n1 2\n2 3\n4 1\n4\n1\n2\n3\n4\n")
    (HERE / "case2.in").write_text(case(rng, 500, 1500, 200))
    (HERE / "case3.in").write_text(case(rng, 6000, 15000, 3000))


if __name__ == "__main__":
    main()
