"""The report as one self-contained HTML page: no script, no external fetch (a Content Security
Policy forbids both), plots as inline SVG. Everything that comes from the user's code (names,
reasons, diffs, counterexamples) is escaped."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from optiagent.reporting.diffs import diff_html
from optiagent.reporting.explain import explanations
from optiagent.reporting.models import CandidateMeasurement, Evidence, RunReport, TargetEntry
from optiagent.reporting.plots import ForestRow, forest_plot, require_matplotlib, scaling_plot
from optiagent.reporting.style import CSS

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_html(report: RunReport) -> str:
    """The page; raises InputError naming `pip install 'optiagent[report]'` without matplotlib."""
    require_matplotlib()
    improved = [t for t in report.targets if t.status == "improved"]
    others = [t for t in report.targets if t.status != "improved" and (t.measurements or t.rejected)]
    body = [
        _summary(report),
        _forest(report),
        _overview(report.targets),
        *(_improved(target) for target in improved),
        _section(
            "Other targets with measured or rejected candidates",
            [_other(t, expanded=len(others) <= 6) for t in others],
        ),
        _composed(report),
        _not_targets(report),
    ]
    title = f"optiagent report {report.run_id[:8]}"
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )


def _summary(report: RunReport) -> str:
    summary = report.summary
    geomean = f"{summary.geomean_speedup:.2f}x" if summary.geomean_speedup else "n/a"
    cards = [
        ("targets improved", f"{summary.improved} of {summary.targets}"),
        ("geometric mean speedup", geomean),
        ("acceptance bar", f"{report.min_speedup:.2f}x" if report.min_speedup else "n/a"),
        ("run time", f"{summary.wall_seconds:.1f} s"),
        ("self-check failures", str(summary.self_check_failures)),
    ]
    facts = [
        ("run", report.run_id),
        ("root", report.root),
        ("sandbox", report.sandbox),
        ("strategies", ", ".join(report.strategies)),
    ]
    return (
        f"<header><h1>optiagent report</h1>{_dl(facts)}</header>"
        "<section class='cards'>"
        + "".join(f"<div class='card'><b>{escape(v)}</b><span>{escape(k)}</span></div>" for k, v in cards)
        + "</section>"
    )


def forest_rows(targets: Iterable[TargetEntry]) -> list[ForestRow]:
    """One row per measured target: its accepted edit, else its best measured candidate."""
    rows = []
    for target in targets:
        label = f"{target.file}::{target.qualname}"
        if target.status == "improved" and target.speedup is not None and target.ci is not None:
            rows.append(ForestRow(label, target.speedup, target.ci[0], target.ci[1], accepted=True))
        elif target.measurements:
            best = max(target.measurements, key=lambda m: m.speedup)
            rows.append(ForestRow(label, best.speedup, best.ci[0], best.ci[1], accepted=best.accepted))
    return rows


def _forest(report: RunReport) -> str:
    rows = forest_rows(report.targets)
    if not rows:
        return _section("Speedups", ["<p class='muted'>No candidate was benchmarked in this run.</p>"])
    caption = (
        "Each measured target's speedup (diamond) with its 95% interval. Green: accepted, the "
        "interval's lower end lies above the bar; amber: the best candidate measured, not accepted."
    )
    return _section(
        "Speedups",
        [
            f"<figure class='plot'>{forest_plot(rows, report.min_speedup)}"
            f"<figcaption>{escape(caption)}</figcaption></figure>"
        ],
    )


NOT_STARTED = "not started"


def _overview(targets: list[TargetEntry]) -> str:
    """One row per target tried; those the time budget never reached share one row."""
    rows = []
    waiting = [t for t in targets if t.status == "skipped" and t.reason.startswith(NOT_STARTED)]
    for t in targets:
        if t in waiting:
            continue
        speed = f"{t.speedup:.2f}x" if t.speedup else ""
        ci = f"{t.ci[0]:.2f} &ndash; {t.ci[1]:.2f}" if t.ci else ""
        rows.append(
            f"<tr><td><code>{escape(t.file)}::{escape(t.qualname)}</code></td>"
            f"<td><span class='badge {escape(t.status)}'>{escape(t.status)}</span></td>"
            f"<td class='num'>{speed}</td><td class='num'>{ci}</td><td class='num'>{t.candidates}</td>"
            f"<td class='num'>{t.wall_seconds:.0f}</td><td class='why'>{escape(_short(t.reason, 240))}</td></tr>"
        )
    if waiting:
        names = ", ".join(f"{t.file}::{t.qualname}" for t in waiting)
        rows.append(
            f"<tr><td colspan='2'>{len(waiting)} more targets <span class='badge skipped'>skipped</span>"
            f"</td><td colspan='5' class='why'>{escape(_short(waiting[0].reason, 240))}: "
            f"<code>{escape(names)}</code></td></tr>"
        )
    head = "<tr><th>target</th><th>status</th><th>speedup</th><th>95% CI</th><th>cands</th><th>s</th><th>why</th></tr>"
    return _section("Targets", [f"<table class='targets'>{head}{''.join(rows)}</table>"])


def _improved(target: TargetEntry) -> str:
    assert target.speedup is not None
    ci = f" [{target.ci[0]:.2f}, {target.ci[1]:.2f}]" if target.ci else ""
    heading = (
        f"<h2><code>{escape(target.file)}::{escape(target.qualname)}</code> "
        f"<span class='speed'>{target.speedup:.2f}x{ci}</span>"
        + (" <span class='badge applied'>applied</span>" if target.applied else "")
        + "</h2>"
    )
    why = "".join(f"<li>{escape(line)}</li>" for line in explanations(target.strategy, target.rules))
    scaling = _scaling(target.evidence)
    parts = [
        heading,
        f"<ul class='explain'>{why}</ul>",
        "<div class='cols'>",
        f"<div><h3>Evidence</h3>{_dl(_evidence_facts(target))}</div>",
        f"<div><h3>How time grows with input size</h3>{scaling}</div>",
        "</div>",
        "<h3>The edit</h3>",
        diff_html(target.diff or ""),
        _measurements(target.measurements),
        _rejected(target),
        _notes(target.notes),
    ]
    return f"<section class='target'>{''.join(parts)}</section>"


def _other(target: TargetEntry, expanded: bool) -> str:
    parts = [
        f"<details{' open' if expanded else ''}><summary><code>{escape(target.file)}::{escape(target.qualname)}</code> "
        f"<span class='badge {escape(target.status)}'>{escape(target.status)}</span></summary>",
        f"<p>{escape(target.reason)}</p>",
        _measurements(target.measurements),
        _rejected(target),
        _notes(target.notes),
        "</details>",
    ]
    return "".join(parts)


def _evidence_facts(target: TargetEntry) -> list[tuple[str, str]]:
    evidence = target.evidence
    facts: list[tuple[str, str]] = []
    if evidence.inputs_checked:
        checked = ", ".join(f"{n} {source}" for source, n in sorted(evidence.inputs_checked.items()))
        facts.append(("inputs checked (by source)", checked))
    if evidence.verdict_from_cache:
        facts.append(("verdict", "equivalent in an earlier run on the same inputs (verdict cache)"))
    if evidence.largest_input_size is not None:
        scale = evidence.stress_scale
        how = ""
        if scale and scale >= 1:
            how = f", a real input grown x{scale:g}"
        elif scale:
            how = f", a prefix (1/{round(1 / scale)}) of a real input"
        facts.append(("stress input", f"size {evidence.largest_input_size}{how}"))
    if evidence.slowest_input is not None and evidence.slowest_input.original_s is not None:
        slow = evidence.slowest_input
        after = f" -> {_seconds(slow.candidate_s)}" if slow.candidate_s is not None else ""
        facts.append(("slowest input checked", f"{slow.source or '?'}: {_seconds(slow.original_s)}{after}"))
    if evidence.pairs:
        timing = ""
        if evidence.original_s is not None and evidence.candidate_s is not None:
            timing = f": {_seconds(evidence.original_s)} -> {_seconds(evidence.candidate_s)} per sample"
        facts.append(("benchmark", f"{evidence.pairs} pairs{timing}"))
    if target.self_check:
        facts.append(("self-check of the original", target.self_check))
    return facts


def _scaling(evidence: Evidence) -> str:
    if evidence.scaling is None or not evidence.scaling.original:
        return (
            "<p class='muted'>Not measured: none of this target's inputs could be grown or cut to "
            "several sizes (sizes are read from collections and text; a method's receiver is never "
            "resized).</p>"
        )
    plot = scaling_plot(evidence.scaling, evidence.original_time_exponent, evidence.candidate_time_exponent)
    return f"<figure class='plot small'>{plot}</figure>"


def _measurements(measurements: list[CandidateMeasurement]) -> str:
    if not measurements:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(m.candidate)}</code></td><td class='num'>{m.speedup:.2f}x</td>"
        f"<td class='num'>{m.ci[0]:.2f} &ndash; {m.ci[1]:.2f}</td><td class='num'>{m.pairs}</td>"
        f"<td>{'accepted' if m.accepted else 'not accepted'}</td></tr>"
        for m in measurements
    )
    head = "<tr><th>candidate</th><th>speedup</th><th>95% CI</th><th>pairs</th><th>decision</th></tr>"
    return f"<h3>Benchmarked candidates</h3><table>{head}{rows}</table>"


def _rejected(target: TargetEntry) -> str:
    if not target.rejected:
        return ""
    items = []
    for r in target.rejected:
        where = f" on a {escape(r.input_source)} input" if r.input_source else ""
        cached = " (verdict cache)" if r.from_cache else ""
        example = f"<pre class='example'>{escape(r.counterexample)}</pre>" if r.counterexample else ""
        items.append(
            f"<li><code>{escape(r.candidate)}</code>: {escape(r.verdict)}{where}{cached}"
            f"<div class='muted'>{escape(_short(r.detail, 600))}</div>{example}</li>"
        )
    return f"<h3>Rejected candidates</h3><ul class='rejected'>{''.join(items)}</ul>"


def _notes(notes: list[str]) -> str:
    if not notes:
        return ""
    items = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return f"<h3>Notes</h3><ul class='notes muted'>{items}</ul>"


def _composed(report: RunReport) -> str:
    items = []
    for composed in report.files:
        if len(composed.edits) < 2 and not composed.dropped:
            continue
        dropped = "".join(
            f"<li>{escape(d.qualname)} left out: {escape(d.reason)}</li>" for d in composed.dropped
        )
        items.append(
            f"<li><code>{escape(composed.file)}</code>: {len(composed.edits)} edits composed into one "
            f"module ({escape(', '.join(composed.edits))}), checked as a whole on the inputs of "
            f"{escape(', '.join(composed.validated_on) or 'no target')}<ul>{dropped}</ul></li>"
        )
    return _section("Composed files", [f"<ul>{''.join(items)}</ul>"]) if items else ""


def _not_targets(report: RunReport) -> str:
    parts = []
    if report.not_targets:
        rows = "".join(
            f"<li><code>{escape(n.file)}::{escape(n.function)}</code>: {escape(n.reason)}</li>"
            for n in report.not_targets
        )
        parts.append(f"<h3>Hot functions that are not targets</h3><ul class='muted'>{rows}</ul>")
    if report.skipped_files:
        rows = "".join(
            f"<li><code>{escape(s.file)}</code>: {escape(s.reason)}</li>" for s in report.skipped_files
        )
        parts.append(f"<h3>Skipped files</h3><ul class='muted'>{rows}</ul>")
    return _section("Not optimized", parts) if parts else ""


def _section(title: str, parts: list[str]) -> str:
    content = "".join(p for p in parts if p)
    return f"<section><h2>{escape(title)}</h2>{content}</section>" if content else ""


def _dl(facts: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts) + "</dl>"


def _seconds(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value * 1000:.3g} ms" if value < 1 else f"{value:.3g} s"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
