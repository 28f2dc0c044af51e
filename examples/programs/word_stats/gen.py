"""Write the input cases for word_stats (deterministic)."""

import random
from pathlib import Path

HERE = Path(__file__).parent
SYLLABLES = ["ta", "ke", "shi", "no", "ra", "mu", "zen", "ko", "li", "pa", "dor", "vi"]


def case(rng: random.Random, n_lines: int, vocabulary: int) -> str:
    spellings = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(vocabulary)}
    vocab = sorted(spellings)
    lines = []
    for _ in range(n_lines):
        words = [vocab[int(len(vocab) * rng.random() ** 2)] for _ in range(rng.randint(3, 14))]
        words[0] = words[0].capitalize()
        lines.append(" ".join(words) + rng.choice([".", ",", "!", "?", ""]))
    return "\n".join(lines) + "\n"


def main() -> None:
    rng = random.Random(4)
    (HERE / "case1.in").write_text("The cat sat on the mat.\nThe dog sat, too!\n")
    (HERE / "case2.in").write_text(case(rng, 200, 300))
    (HERE / "case3.in").write_text(case(rng, 1500, 2500))


if __name__ == "__main__":
    main()
