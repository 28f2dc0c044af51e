"""CodeT's post-processing of sampled code and sampled tests (section 3.4), as pure functions."""

from __future__ import annotations

STOP_STRINGS = ("\nclass", "\ndef", "\n#", "\nif", "\nprint")
TESTS_PER_SAMPLE = 5


def truncate_at_stop_strings(text: str, stops: tuple[str, ...] = STOP_STRINGS) -> str:
    """The text before the first occurrence of any stop string."""
    for stop in stops:
        text = text.split(stop, 1)[0]
    return text


def compiles_in_try_block(test: str) -> bool:
    """CodeT's validity check: the test, indented into `try: ... except: pass`, compiles."""
    if not test.strip() or "assert" not in test:
        return False
    indented = test.replace("\n", "\n    ")
    try:
        compile(f"try:\n    {indented}\nexcept:\n    pass\n", "<test>", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def extract_test_cases(sample: str, entry_point: str, limit: int | None = TESTS_PER_SAMPLE) -> list[str]:
    """Asserts from one sampled continuation of a prompt ending in a dangling `assert `.

    Split on "assert ", keep non-empty pieces mentioning the entry point, re-prefix "assert ",
    truncate at the stop strings, keep those that compile; the first `limit` of them.
    """
    pieces = f"assert {sample}".split("assert ")
    candidates = [
        f"assert {piece}".strip() for piece in pieces if entry_point.strip() in piece and piece.strip()
    ]
    truncated = [truncate_at_stop_strings(candidate).strip() for candidate in candidates]
    valid = [test for test in truncated if compiles_in_try_block(test)]
    return valid if limit is None else valid[:limit]
