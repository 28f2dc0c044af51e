"""The terminal report: a table on wide terminals, one block of `key value` lines per target below
`WIDE` columns (an 80-column terminal, a CI log), so nothing wraps into an unreadable column;
coloured diffs; each accepted edit's rule or strategy explained in one line."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping

from rich.console import Console, Group, RenderableType
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from optiagent.domain.report import Report, TargetReport, TargetStatus
from optiagent.rewrite.catalogue import all_rules
from optiagent.rewrite.catalogue.base import Discharge, Precondition

WIDE = 100  # columns from which the report may be a table
WHY_COLUMNS = 50  # ... if its last column ("why") still gets this many
_FIXED_COLUMNS = 9 + 7 + 9 + 5 + 4 + 22  # status, speedup, CI, cands, s; borders and padding
REASON_CHARS = 240  # of a target's reason, unless --verbose

_STYLE = {
    TargetStatus.IMPROVED: "green",
    TargetStatus.UNCHANGED: "yellow",
    TargetStatus.SKIPPED: "dim",
    TargetStatus.FAILED: "red",
}
_MARK = {
    TargetStatus.IMPROVED: "+",
    TargetStatus.UNCHANGED: "=",
    TargetStatus.SKIPPED: "-",
    TargetStatus.FAILED: "!",
}
_DISCHARGED = {
    Discharge.STATIC: "checked by the rule",
    Discharge.ANNOTATED: "proven by the annotations or guarded",
    Discharge.GUARDED: "guarded in the code",
    Discharge.TESTED: "tested on generated inputs",
}
STRATEGY_EXPLANATIONS = {
    "catalogue": "an offline rewrite rule",
    "plansearch": "written by the LLM after a search over natural-language ideas and plans (PlanSearch)",
    "rewoo": "written by the LLM from a plan whose evidence (code, profile, timed calls) was gathered "
    "first (ReWOO)",
    "funcoder": "written by the LLM as helper functions composed bottom-up and chosen by functional "
    "consensus (FunCoder)",
    "sampling": "the best of independent LLM samples of one prompt",
    "auto": "chosen by `auto` among the LLM strategies",
}


def summary_line(report: Report) -> str:
    summary = report.summary()
    geomean = f"{summary['geomean_speedup']:.2f}x" if summary["geomean_speedup"] else "n/a"
    return (
        f"{summary['improved']} of {summary['targets']} targets improved, geomean {geomean}, "
        f"{summary['wall_seconds']:.1f}s"
    )


def _assumptions(conditions: Iterable[Precondition], each: bool) -> list[tuple[str, str]]:
    """What a rule assumes: each assumption with its discharge, or how many were discharged how."""
    conditions = list(conditions)
    if each or len(conditions) == 1:
        return [("assumes", condition.describe()) for condition in conditions]
    if not conditions:
        return []
    counts = Counter(condition.discharge for condition in conditions)
    how = ", ".join(f"{n} {_DISCHARGED[discharge]}" for discharge, n in counts.most_common())
    return [("assumes", f"{len(conditions)} conditions, {how}")]


def explain_edit(target: TargetReport, verbose: bool = False) -> list[tuple[str, str]]:
    """(key, text) lines: each rule's one-line explanation and what it assumes, or the strategy's."""
    infos = {rule.info.id: rule.info for rule in all_rules()}
    lines: list[tuple[str, str]] = []
    for rule_id in target.rules:
        info = infos.get(rule_id)
        if info is None:
            lines.append(("rule", rule_id))
            continue
        lines.append(("rule", f"{rule_id} {info.title}: {info.explanation}"))
        lines.extend(_assumptions(info.preconditions, verbose))
    if not target.rules and target.strategy:
        base = target.strategy.split(":")[-1]
        explanation = STRATEGY_EXPLANATIONS.get(base, "")
        if target.strategy.startswith("auto:") and explanation:
            explanation += " (chosen by `auto`)"
        lines.append(("strategy", f"{target.strategy}: {explanation}" if explanation else target.strategy))
    return lines


def evidence_lines(evidence: Mapping[str, object]) -> list[tuple[str, str]]:
    """What the edit was checked on and how its time grows against the original's."""
    lines: list[tuple[str, str]] = []
    checked = evidence.get("inputs_checked")
    parts = []
    if isinstance(checked, Mapping) and checked:
        total = sum(int(n) for n in checked.values())
        by_source = ", ".join(f"{n} {source}" for source, n in sorted(checked.items()))
        parts.append(f"{total} input{'s' if total != 1 else ''} ({by_source})")
    if evidence.get("largest_input_size"):
        parts.append(f"largest input {evidence['largest_input_size']}")
    if evidence.get("verdict_from_cache"):
        parts.append("verdict from cache")
    if parts:
        lines.append(("checked", "; ".join(parts)))
    before, after = evidence.get("original_time_exponent"), evidence.get("candidate_time_exponent")
    if isinstance(before, int | float) and isinstance(after, int | float):
        lines.append(("scaling", f"time ~ n^{before:.1f} before, n^{after:.1f} after"))
    return lines


def _measured(target: TargetReport) -> str:
    if target.speedup is None:
        return ""
    text = f"{target.speedup:.2f}x"
    if target.ci:
        text += f" (95% CI {target.ci[0]:.2f}-{target.ci[1]:.2f}"
        pairs = target.evidence.get("pairs")
        text += f", {pairs} pairs)" if pairs else ")"
    return text


def _effort(target: TargetReport) -> str:
    text = f"{target.candidates} candidate{'s' if target.candidates != 1 else ''}"
    extra = []
    if target.cache_hits:
        extra.append(f"{target.cache_hits} cached")
    if target.functional_duplicates:
        extra.append(f"{target.functional_duplicates} duplicates")
    if extra:
        text += f" ({', '.join(extra)})"
    return f"{text}, {target.wall_seconds:.0f} s"


def _reason(target: TargetReport, verbose: bool) -> str:
    reason = target.reason
    if not verbose and len(reason) > REASON_CHARS:
        reason = reason[: REASON_CHARS - 3].rstrip() + "... (-v: all)"
    return reason


def target_lines(target: TargetReport, verbose: bool) -> list[tuple[str, str]]:
    """A target's facts as (key, text) lines, in reading order."""
    lines: list[tuple[str, str]] = []
    if target.status is TargetStatus.IMPROVED:
        lines.append(("speedup", _measured(target)))
        lines.extend(explain_edit(target, verbose))
        lines.extend(evidence_lines(target.evidence))
        if target.applied:
            lines.append(("applied", "written to the file"))
    elif target.reason:
        lines.append(("why", _reason(target, verbose)))
    lines.extend(("note", note) for note in target.notes)
    lines.append(("effort", _effort(target)))
    return lines


def _key_value_lines(pairs: list[tuple[str, str]], width: int, indent: int = 2) -> list[Text]:
    """`key value` lines, each value wrapped under itself within `width` (no trailing blanks)."""
    key_width = max((len(key) for key, _ in pairs), default=7)
    key_width = max(key_width, 7)  # the usual keys line up from block to block
    room = min(max(width - indent - key_width - 1, 20), 100)  # long lines read badly
    lines = []
    for key, value in pairs:
        style = "dim" if key in ("assumes", "note") else ""
        wrapped = textwrap.wrap(value, room, break_long_words=True, break_on_hyphens=False) or [""]
        for number, part in enumerate(wrapped):
            line = Text(" " * indent)
            line.append(f"{key if number == 0 else '':<{key_width}} ", style="dim")
            line.append(part, style=style)
            lines.append(line)
    return lines


def _block(target: TargetReport, width: int, verbose: bool) -> RenderableType:
    style = _STYLE.get(target.status, "")
    head = Text(f"{_MARK.get(target.status, ' ')} ", style=style, overflow="fold")
    head.append(f"{target.file}::{target.qualname}", style="bold")
    head.append(f"  {target.status.value}", style=style)
    if target.speedup:
        head.append(f" {target.speedup:.2f}x", style=style)
    return Group(head, *_key_value_lines(target_lines(target, verbose), width), Text())


def fits_table(targets: Iterable[TargetReport], width: int) -> bool:
    """A table only where no target name folds and the explanations get room; else blocks."""
    longest = max((len(f"{t.file}::{t.qualname}") for t in targets), default=0)
    return width >= WIDE and width >= longest + _FIXED_COLUMNS + WHY_COLUMNS


def _table(targets: Iterable[TargetReport], verbose: bool) -> Table:
    table = Table()
    table.add_column("target", overflow="fold", ratio=3)
    table.add_column("status", no_wrap=True)
    table.add_column("speedup", no_wrap=True, justify="right")
    table.add_column("95% CI", no_wrap=True)
    table.add_column("cands", no_wrap=True, justify="right")
    table.add_column("s", no_wrap=True, justify="right")
    table.add_column("why", overflow="fold", ratio=5)
    for target in targets:
        why = Text(overflow="fold")
        for key, text in target_lines(target, verbose):
            if key in ("speedup", "effort"):
                continue  # columns of their own
            why.append("\n" if why.plain else "")
            shown = text if key in ("rule", "strategy", "why") else f"{key}: {text}"
            why.append(shown, style="dim" if key in ("assumes", "note") else "")
        table.add_row(
            f"{target.file}::{target.qualname}",
            Text(target.status.value, style=_STYLE[target.status]),
            f"{target.speedup:.2f}x" if target.speedup else "",
            f"{target.ci[0]:.2f}-{target.ci[1]:.2f}" if target.ci else "",
            str(target.candidates),
            f"{target.wall_seconds:.0f}",
            why,
        )
    return table


def render_report(
    console: Console, report: Report, show_diffs: bool, quiet: bool = False, verbose: bool = False
) -> None:
    if quiet:
        console.print(summary_line(report), markup=False, highlight=False)
        return
    tried = [t for t in report.targets if t.status is not TargetStatus.NOT_TARGET]
    console.print(Text(f"optiagent run {report.run_id[:8]} (sandbox: {report.sandbox})", style="bold"))
    if fits_table(tried, console.width):
        console.print(_table(tried, verbose))
    else:
        console.print()
        for target in tried:
            console.print(_block(target, console.width, verbose))
    console.print(Text(summary_line(report), style="bold"))
    _render_files(console, report)
    _render_untried(console, report, verbose)
    if show_diffs:
        for target in report.targets:
            if target.diff:
                console.print(diff_view(target.diff))


def diff_view(diff: str) -> Syntax:
    """A unified diff, coloured by the diff lexer in the terminal's own colours (plain when piped)."""
    return Syntax(diff, "diff", theme="ansi_dark", word_wrap=True, background_color="default")


def _render_files(console: Console, report: Report) -> None:
    for composed in report.composed_files():
        if len(composed.edits) > 1 or composed.dropped:
            line = (
                f"{composed.file}: {len(composed.edits)} edits composed into one module "
                f"({', '.join(composed.edits)}), checked as a whole on the inputs of "
                f"{', '.join(composed.validated_on) or 'no target'}"
            )
            _print_wrapped(console, line, "", indent=0)
        for dropped in composed.dropped:
            _print_wrapped(console, f"{dropped.qualname} left out: {dropped.reason}", "yellow")


def _render_untried(console: Console, report: Report, verbose: bool) -> None:
    not_targets = [t for t in report.targets if t.status is TargetStatus.NOT_TARGET]
    shown = not_targets if verbose else not_targets[:12]
    if not_targets:
        many = len(not_targets) != 1
        heading = f"{len(not_targets)} hot function{'s are' if many else ' is'} not {'targets' if many else 'a target'}:"
        console.print(heading, style="dim", markup=False, highlight=False)
        for target in shown:
            _print_wrapped(console, f"{target.file}::{target.qualname}: {target.reason}", "dim")
    if report.skipped_files:
        skipped = report.skipped_files if verbose else report.skipped_files[:8]
        count = len(report.skipped_files)
        console.print(f"{count} file{'s' if count != 1 else ''} skipped:", style="dim", markup=False)
        for entry in skipped:
            _print_wrapped(console, f"{entry['file']}: {entry['reason']}", "dim")


def _print_wrapped(console: Console, line: str, style: str, indent: int = 2) -> None:
    """A line wrapped to the terminal, its continuation lines indented under it (no trailing blanks)."""
    parts = textwrap.wrap(
        line,
        max(console.width - indent - 2, 20),
        break_long_words=True,
        break_on_hyphens=False,
        subsequent_indent="  ",
    )
    for part in parts:
        console.print(Text(" " * indent + part, style=style), highlight=False, soft_wrap=True)
