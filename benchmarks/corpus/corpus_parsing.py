"""Small parsers."""

from typing import Optional


def parse_int(text: str) -> Optional[int]:
    text = text.strip()
    if not text:
        return None
    sign = 1
    if text[0] in "+-":
        if text[0] == "-":
            sign = -1
        text = text[1:]
    if not text:
        return None
    value = 0
    for ch in text:
        if ch < "0" or ch > "9":
            return None
        value = value * 10 + (ord(ch) - ord("0"))
    return sign * value


def parse_kv(text: str) -> dict[str, str]:
    out = {}
    for part in text.split(";"):
        if "=" not in part:
            continue
        key, _, value = part.partition("=")
        key = key.strip()
        if key:
            out[key] = value.strip()
    return out


def split_csv_line(line: str) -> list[str]:
    fields = []
    current = []
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            fields.append("".join(current))
            current = []
        else:
            current.append(ch)
    fields.append("".join(current))
    return fields


def parse_duration(text: str) -> int:
    total = 0
    number = 0
    units = {"h": 3600, "m": 60, "s": 1}
    for ch in text:
        if ch.isdigit() and ch in "0123456789":
            number = number * 10 + int(ch)
        elif ch in units:
            total += number * units[ch]
            number = 0
        else:
            return -1
    return total + number


def balanced_brackets(text: str) -> bool:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    for ch in text:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack[-1] != pairs[ch]:
                return False
            stack.pop()
    return len(stack) == 0


def parse_version(text: str) -> tuple[int, int, int]:
    parts = text.split(".")
    out = [0, 0, 0]
    for i in range(min(3, len(parts))):
        part = parts[i]
        if part.isdigit() and part.isascii():
            out[i] = int(part)
    return (out[0], out[1], out[2])
