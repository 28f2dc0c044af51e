"""The LLM's regex search over a project: real hits, and a pattern that backtracks for ever is
stopped at its deadline instead of holding the worker."""

from __future__ import annotations

import time
from pathlib import Path

from optiagent.services.agent_ports import ProjectSearch


def test_search_finds_lines_and_skips_hidden_directories(tmp_path: Path) -> None:
    """Hits are `file:line: text`, up to the limit; dot-directories are not searched."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("def f():\n    return 1\n\ndef g():\n    pass\n")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "b.py").write_text("def hidden():\n    pass\n")
    search = ProjectSearch(tmp_path)
    assert search.search(r"def \w+") == ["pkg/a.py:1: def f():", "pkg/a.py:4: def g():"]
    assert search.search("def", limit=1) == ["pkg/a.py:1: def f():"]
    assert search.search("f(") == ["pkg/a.py:1: def f():"]  # an invalid regex is searched for literally


def test_a_catastrophic_pattern_is_stopped_at_the_deadline(tmp_path: Path) -> None:
    """`(a+)+$` on a long line of a's would take years; the search answers within its deadline."""
    (tmp_path / "a.py").write_text("a" * 64 + "!\n")
    started = time.monotonic()
    hits = ProjectSearch(tmp_path, timeout_s=1.0).search(r"(a+)+$")
    assert time.monotonic() - started < 5.0
    assert hits == ["search stopped after 1 s: use a simpler pattern"]
