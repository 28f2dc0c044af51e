"""Few-shot examples from accepted edits, chosen by normalized-token similarity to the target.

Code is tokenized, comments and layout dropped, identifiers mapped to ID, numbers to NUM and
strings to STR (keywords, operators and builtin names kept), so two loops over different
variables look alike. Similarity is the cosine of the token 2-4 gram counts (single tokens like `def` and `(` say little).
"""

from __future__ import annotations

import builtins
import io
import keyword
import math
import tokenize
from collections import Counter
from collections.abc import Sequence

from optiagent.ports.generator import PastEdit

_BUILTINS = frozenset(dir(builtins))
_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENCODING, tokenize.ENDMARKER}  # fmt: skip


def normalized_tokens(source: str) -> list[str]:
    tokens: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in _SKIPPED:
                continue
            if token.type == tokenize.NAME:
                keep = keyword.iskeyword(token.string) or token.string in _BUILTINS
                tokens.append(token.string if keep else "ID")
            elif token.type == tokenize.NUMBER:
                tokens.append("NUM")
            elif token.type == tokenize.STRING:
                tokens.append("STR")
            else:
                tokens.append(token.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source.split()
    return tokens


def _grams(tokens: Sequence[str]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for n in (2, 3, 4) for i in range(len(tokens) - n + 1))


def similarity(a: str, b: str) -> float:
    ga, gb = _grams(normalized_tokens(a)), _grams(normalized_tokens(b))
    dot = sum(count * gb[gram] for gram, count in ga.items())
    norm = math.sqrt(sum(c * c for c in ga.values())) * math.sqrt(sum(c * c for c in gb.values()))
    return dot / norm if norm else 0.0


def similar_edits(code: str, edits: Sequence[PastEdit], k: int = 2, floor: float = 0.5) -> list[PastEdit]:
    """The k accepted edits whose original code is most like `code` (at least `floor` alike).

    An edit of this very code is left out: re-running a target must send the same prompts (so the
    completion cache answers them), and the pipeline finds that edit again anyway.
    """
    scored = sorted(
        (
            (similarity(code, e.original), i)
            for i, e in enumerate(edits)
            if e.original.strip() != code.strip()
        ),
        reverse=True,
    )
    return [edits[i] for score, i in scored[:k] if score >= floor]


def few_shot_text(edits: Sequence[PastEdit]) -> str:
    parts = [
        f"Before ({edit.qualname}):\n```python\n{edit.original.strip()}\n```\n"
        f"After ({edit.speedup:.2f}x faster, same behaviour):\n```python\n{edit.optimized.strip()}\n```"
        for edit in edits
    ]
    return "\n\n".join(parts)
