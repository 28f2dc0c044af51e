"""A repository with a pull request that adds a slow function, shared by the App's tests: the base
and head trees, GitHub-style patches, and a job report as the workers write it."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from optiagent.ports.codehost import ChangedFile, PullRequest, Repo

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "primes"
REPO = Repo(42, "acme", "speed")
BASE_SHA, HEAD_SHA, NEXT_SHA = "b" * 40, "a" * 40, "c" * 40
HEAD_FILE = (EXAMPLE / "ex_primes.py").read_text()
SLOW_DEF = "def primes_below(limit: int) -> list[int]:\n"
# The base lacks primes_below: the pull request adds it (every line of it is in the diff).
_start = HEAD_FILE.index(SLOW_DEF)
_end = HEAD_FILE.index("def prime_factors")
BASE_FILE = HEAD_FILE[:_start] + HEAD_FILE[_end:]
PYPROJECT = (EXAMPLE / "pyproject.toml").read_text()
WORKLOAD = (EXAMPLE / "workload.py").read_text()
SLOW_LINE = "        if all([n % p != 0 for p in primes if p * p <= n]):"
FAST_LINE = "        if all(n % p != 0 for p in primes if p * p <= n):"


def patch(before: str, after: str) -> str:
    """A file's `patch` as GitHub lists it: the unified diff's hunks without the file headers."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=3)
    return "\n".join(list(lines)[2:])


def edit_diff(path: str, before: str, after: str) -> str:
    """An edit's diff as the job's report carries it (with headers)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return "".join(lines)


def trees(pyproject: str = PYPROJECT) -> dict[str, dict[str, str]]:
    base = {"pyproject.toml": pyproject, "ex_primes.py": BASE_FILE, "workload.py": WORKLOAD}
    head = base | {"ex_primes.py": HEAD_FILE}
    return {BASE_SHA: base, HEAD_SHA: head, NEXT_SHA: head | {"README.md": "more\n"}}


def changed_files() -> list[ChangedFile]:
    return [ChangedFile("ex_primes.py", "modified", patch(BASE_FILE, HEAD_FILE))]


def pull_request(
    number: int = 7, head_sha: str = HEAD_SHA, fork: bool = False, **changes: Any
) -> PullRequest:
    values: dict[str, Any] = {
        "number": number,
        "state": "open",
        "draft": False,
        "head_sha": head_sha,
        "head_ref": "feature/primes",
        "head_repo": "stranger/speed" if fork else REPO.full_name,
        "base_ref": "main",
        "base_sha": BASE_SHA,
        "author": "alice",
        "author_is_bot": False,
    }
    return PullRequest(**(values | changes))


def improved(qualname: str, diff: str, ci: tuple[float, float] = (5.19, 7.03)) -> dict[str, Any]:
    return {
        "file": "ex_primes.py",
        "qualname": qualname,
        "status": "improved",
        "reason": "1 of 1 candidates accepted",
        "speedup": (ci[0] + ci[1]) / 2,
        "ci": list(ci),
        "candidates": 1,
        "strategy": "catalogue",
        "rules": ["OPT009"],
        "diff": diff,
        "evidence": {
            "inputs_checked": {"captured": 1, "hypothesis": 97},
            "original_s": 0.8545,
            "candidate_s": 0.1471,
        },
    }


def report(*targets: dict[str, Any]) -> dict[str, Any]:
    return {"schema": 1, "targets": list(targets), "files": [], "summary": {}}


def primes_below_edit() -> str:
    return edit_diff("ex_primes.py", HEAD_FILE, HEAD_FILE.replace(SLOW_LINE, FAST_LINE))


def is_prime_edit() -> str:
    """An edit of a function the pull request did not touch (its lines are not in the diff)."""
    before = "    for d in range(2, int(math.sqrt(n)) + 1):"
    return edit_diff(
        "ex_primes.py", HEAD_FILE, HEAD_FILE.replace(before, "    for d in range(2, math.isqrt(n) + 1):")
    )
