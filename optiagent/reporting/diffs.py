"""A unified diff as HTML: Python highlighted by pygments (inline styles), lines tinted by side.

Removed lines are highlighted as part of the old text and added lines as part of the new one, so
a multi-line string or bracket keeps its colours across lines. pygments escapes every token.
"""

from __future__ import annotations

import html

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

_META = ("---", "+++", "@@", "\\")


def diff_html(diff: str) -> str:
    lines = diff.splitlines()
    kinds = [_kind(line) for line in lines]
    old = [i for i, kind in enumerate(kinds) if kind in ("del", "ctx")]
    new = [i for i, kind in enumerate(kinds) if kind in ("add", "ctx")]
    rendered: dict[int, str] = {}
    for indices in (old, new):
        for index, text in zip(indices, _highlight_lines([lines[i][1:] for i in indices]), strict=True):
            rendered.setdefault(index, text)  # a context line: its old rendering is as good
    rows = []
    for index, (line, kind) in enumerate(zip(lines, kinds, strict=True)):
        if kind == "meta":
            rows.append(f'<span class="dl meta">{html.escape(line)}</span>')
        else:
            sign = html.escape(line[:1]) or " "
            rows.append(f'<span class="dl {kind}"><span class="sign">{sign}</span>{rendered[index]}</span>')
    return f'<pre class="diff">{"".join(rows)}</pre>'


def _kind(line: str) -> str:
    if line.startswith(_META):
        return "meta"
    if line.startswith("-"):
        return "del"
    if line.startswith("+"):
        return "add"
    return "ctx"


def _highlight_lines(texts: list[str]) -> list[str]:
    """One HTML fragment per input line (the formatter closes its spans at each line end)."""
    if not texts:
        return []
    formatter = HtmlFormatter(noclasses=True, nowrap=True, style="default")
    out: str = highlight("\n".join(texts) + "\n", PythonLexer(stripnl=False, ensurenl=True), formatter)
    fragments = out.split("\n")
    return (fragments + [""] * len(texts))[: len(texts)]
