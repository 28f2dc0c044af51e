"""String utilities."""

from typing import Optional


def capitalize_words(text: str) -> str:
    out = []
    for word in text.split(" "):
        if word:
            out.append(word[0].upper() + word[1:].lower())
        else:
            out.append(word)
    return " ".join(out)


def is_palindrome(text: str) -> bool:
    chars = [c.lower() for c in text if c.isalnum()]
    i = 0
    j = len(chars) - 1
    while i < j:
        if chars[i] != chars[j]:
            return False
        i += 1
        j -= 1
    return True


def run_length_encode(text: str) -> str:
    if not text:
        return ""
    out = []
    current = text[0]
    count = 1
    for ch in text[1:]:
        if ch == current:
            count += 1
        else:
            out.append(f"{count}{current}")
            current = ch
            count = 1
    out.append(f"{count}{current}")
    return "".join(out)


def longest_common_prefix(words: list[str]) -> str:
    if not words:
        return ""
    prefix = words[0]
    for word in words[1:]:
        n = 0
        while n < len(prefix) and n < len(word) and prefix[n] == word[n]:
            n += 1
        prefix = prefix[:n]
        if not prefix:
            break
    return prefix


def truncate(text: str, width: int, suffix: str = "...") -> str:
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    if width <= len(suffix):
        return text[:width]
    return text[: width - len(suffix)] + suffix


def count_vowels(text: str) -> int:
    total = 0
    for ch in text.lower():
        if ch in "aeiou":
            total += 1
    return total


def find_nth(text: str, sub: str, n: int) -> Optional[int]:
    if not sub or n < 1:
        return None
    start = 0
    for _ in range(n):
        idx = text.find(sub, start)
        if idx < 0:
            return None
        start = idx + 1
    return start - 1
