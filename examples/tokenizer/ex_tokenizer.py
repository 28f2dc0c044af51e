"""A small tokenizer and pretty-printer for an arithmetic configuration language."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    """A lexical token with its kind and source text."""

    kind: str
    text: str
    line: int


class Tokenizer:
    """Splits source text into tokens: keywords, names, numbers, strings, operators."""

    def __init__(self, keywords: list[str]) -> None:
        self.keywords = keywords
        self.operators = [
            "==", "!=", "<=", ">=", "+", "-", "*", "/", "=", "<", ">", "(", ")", "{", "}", ",", ";",
        ]

    def tokenize(self, source: str) -> list[Token]:
        """Tokens of ``source``; comments and whitespace are dropped, unknown characters raise."""
        tokens = []
        pos = 0
        line = 1
        while pos < len(source):
            rest = source[pos:]
            if rest[0] == "\n":
                line += 1
                pos += 1
                continue
            if rest[0] in " \t\r":
                pos += 1
                continue
            if rest[0] == "#":
                end = rest.find("\n")
                pos += len(rest) if end == -1 else end
                continue
            match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", rest)
            if match:
                word = match.group()
                kind = "keyword" if word in self.keywords else "name"
                tokens.append(Token(kind, word, line))
                pos += len(word)
                continue
            match = re.match(r"\d+(\.\d+)?", rest)
            if match:
                tokens.append(Token("number", match.group(), line))
                pos += len(match.group())
                continue
            match = re.match(r'"([^"\\]|\\.)*"', rest)
            if match:
                tokens.append(Token("string", match.group(), line))
                pos += len(match.group())
                continue
            for op in self.operators:
                if rest.startswith(op):
                    tokens.append(Token("op", op, line))
                    pos += len(op)
                    break
            else:
                raise ValueError(f"unexpected character {rest[0]!r} on line {line}")
        return tokens


def render(tokens: list[Token]) -> str:
    """Re-emit the tokens one statement per line, with single spaces between tokens."""
    text = ""
    for token in tokens:
        if text and not text.endswith("\n") and token.text != ";":
            text += " "
        text += token.text
        if token.text in (";", "{", "}"):
            text += "\n"
    return text


def kind_counts(tokens: list[Token]) -> dict[str, int]:
    """How many tokens of each kind, sorted by kind."""
    kinds = [token.kind for token in tokens]
    return {kind: kinds.count(kind) for kind in sorted(set(kinds))}
