"""Terminal rendering: live progress while running and the final table."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from optiagent.domain.report import Report, TargetStatus
from optiagent.rewrite.catalogue import explain


class RichProgress:
    """A ProgressListener that draws one bar over all targets."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("discovering targets", total=None)
        self._total = 0

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def event(self, name: str, **fields: object) -> None:
        if name == "project_targets":
            self._total += int(str(fields.get("targets", 0)))
            self._progress.update(self._task, total=self._total)
        elif name == "workload_started":
            self._progress.update(self._task, description=f"profiling {fields.get('project')}")
        elif name == "target_started":
            self._progress.update(
                self._task, description=f"{fields.get('target')} ({fields.get('candidates')} candidates)"
            )
        elif name == "target_done":
            self._progress.advance(self._task)
            self._progress.console.log(
                f"{fields.get('target')}: {fields.get('status')}"
                + (f" {float(str(fields['speedup'])):.2f}x" if fields.get("speedup") else "")
            )


_STYLE = {
    TargetStatus.IMPROVED: "green",
    TargetStatus.UNCHANGED: "yellow",
    TargetStatus.SKIPPED: "dim",
    TargetStatus.FAILED: "red",
}


def _explanations(rules: list[str]) -> str:
    lines = []
    for rule in rules:
        try:
            lines.append(f"{rule}: {explain(rule)}")
        except KeyError:
            lines.append(rule)
    return "\n".join(lines)


def _proof(evidence: dict[str, object]) -> str:
    """One dim line: what the edit was checked on, and how its time scales against the original's."""
    checked = evidence.get("inputs_checked")
    parts = []
    if isinstance(checked, dict) and checked:
        parts.append("checked " + ", ".join(f"{n} {source}" for source, n in sorted(checked.items())))
    if evidence.get("verdict_from_cache"):
        parts.append("verdict from cache")
    if evidence.get("largest_input_size"):
        parts.append(f"largest input {evidence['largest_input_size']}")
    before, after = evidence.get("original_time_exponent"), evidence.get("candidate_time_exponent")
    if isinstance(before, float) and isinstance(after, float):
        parts.append(f"time ~n^{before:.1f} -> n^{after:.1f}")
    return f"\n[dim]{'; '.join(parts)}" if parts else ""


def render_report(console: Console, report: Report, show_diffs: bool) -> None:
    table = Table(title=f"optiagent run {report.run_id[:8]} (sandbox: {report.sandbox})")
    for column in ("target", "status", "speedup", "95% CI", "cands", "s", "why"):
        table.add_column(column, overflow="fold")
    for target in report.targets:
        ci = f"{target.ci[0]:.2f}-{target.ci[1]:.2f}" if target.ci else ""
        speed = f"{target.speedup:.2f}x" if target.speedup else ""
        if target.status is TargetStatus.IMPROVED:
            why = _explanations(target.rules) + _proof(target.evidence)
        else:
            why = target.reason[:160]
        why += "".join(f"\n[dim]{note}" for note in target.notes)
        cands = str(target.candidates)
        if target.cache_hits or target.functional_duplicates:
            cands += f" ({target.cache_hits} cached, {target.functional_duplicates} dup)"
        table.add_row(
            f"{target.file}::{target.qualname}",
            f"[{_STYLE[target.status]}]{target.status.value}",
            speed,
            ci,
            cands,
            f"{target.wall_seconds:.0f}",
            why,
        )
    console.print(table)
    summary = report.summary()
    geomean = f"{summary['geomean_speedup']:.2f}x" if summary["geomean_speedup"] else "n/a"
    console.print(
        f"{summary['improved']} of {summary['targets']} targets improved, geomean {geomean}, "
        f"{summary['wall_seconds']:.1f}s"
    )
    if report.skipped_files:
        console.print(
            f"[dim]{len(report.skipped_files)} files skipped: "
            + "; ".join(f"{s['file']} ({s['reason']})" for s in report.skipped_files[:8])
        )
    if show_diffs:
        for target in report.targets:
            if target.diff:
                console.print(target.diff, markup=False, highlight=False)
