"""Generate a deterministic configuration script and tokenize it."""

import random

from ex_tokenizer import Tokenizer, kind_counts, render

KEYWORDS = ["let", "if", "else", "while", "return", "fn", "true", "false", "and", "or", "not"]


def make_source(rng: random.Random, n_statements: int) -> str:
    names = [f"{rng.choice(['rate', 'limit', 'size', 'count', 'ttl', 'port'])}_{k}" for k in range(60)]
    lines = []
    for i in range(n_statements):
        kind = rng.random()
        if kind < 0.1:
            lines.append(f"# section {i}")
        elif kind < 0.6:
            expr = f"{rng.choice(names)} {rng.choice('+-*/')} {rng.randrange(1000)}"
            lines.append(f"let {rng.choice(names)} = {expr};")
        elif kind < 0.8:
            lines.append(f'if {rng.choice(names)} >= {rng.randrange(100)}.{rng.randrange(10)} {{ '
                         f'{rng.choice(names)} = "v{i}"; }}')
        else:
            lines.append(f"return fn({rng.choice(names)}, {rng.choice(names)}, true);")
    return "\n".join(lines) + "\n"


def main() -> None:
    rng = random.Random(1011)
    source = make_source(rng, 4500)
    tokenizer = Tokenizer(KEYWORDS)
    tokens = tokenizer.tokenize(source)
    print("source chars:", len(source), "tokens:", len(tokens))
    print("kinds:", kind_counts(tokens))
    rendered = render(tokens)
    print("rendered lines:", rendered.count("\n"))
    print(rendered[:200])


if __name__ == "__main__":
    main()
