"""The App's words on GitHub: suggestion comments, the summary comment, the check run's output.

Everything is bounded by GitHub's limits (65,535 characters per body, 50 annotations per request).
"""

from __future__ import annotations

from collections.abc import Sequence

from optiagent.github_app.findings import Finding, Place
from optiagent.github_app.hunks import FunctionSpan
from optiagent.ports.codehost import MAX_ANNOTATIONS, MAX_OUTPUT_CHARS, Annotation, CheckOutput

SUMMARY_MARKER = "<!-- optiagent:summary -->"
CHECK_NAME = "optiagent"
FOLLOWUP_ACTION = "followup"
HELP = """**optiagent** commands (write permission needed):

- `/optiagent run [function ...]`: optimize this pull request's changed functions (and those named) now
- `/optiagent pr`: open the follow-up pull request with the edits that are not suggestions
- `/optiagent stop`: stop the running optimization
- `/optiagent pause` / `/optiagent resume`: stop or resume runs on this repository
- `/optiagent help`: this message

Configure it in `pyproject.toml` under `[tool.optiagent.github]` (read from the base branch)."""


def bounded(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    if len(text) <= limit:
        return text
    tail = "\n\n… (truncated)"
    return text[: limit - len(tail)] + tail


def headline(finding: Finding) -> str:
    low, high = finding.ci
    return f"`{finding.qualname}` in `{finding.file}`: **{finding.speedup:.2f}x** faster (interval {low:.2f}x to {high:.2f}x)"


def evidence(finding: Finding) -> str:
    """Why to believe the edit: times, inputs, cases, how it was found."""
    parts = []
    if finding.original_s is not None and finding.candidate_s is not None:
        parts.append(
            f"- time per workload call: {_seconds(finding.original_s)} -> {_seconds(finding.candidate_s)}"
        )
    sources = (
        ", ".join(f"{count} {source}" for source, count in sorted(finding.inputs.items())) or "none recorded"
    )
    parts.append(f"- {finding.cases} differential cases passed (inputs: {sources})")
    how = finding.strategy + (f" ({', '.join(finding.rules)})" if finding.rules else "")
    parts.append(f"- found by: {how}: {finding.explanation}")
    return "\n".join(parts)


def suggestion_body(finding: Finding) -> str:
    assert finding.suggestion is not None
    block = "\n".join(finding.suggestion.lines)
    return bounded(f"{headline(finding)}\n\n```suggestion\n{block}\n```\n\n{evidence(finding)}")


def review_body(count: int) -> str:
    noun = "suggestion" if count == 1 else "suggestions"
    return f"**optiagent**: {count} verified, measured {noun} (each checked against the original on differential cases and benchmarked)."


def summary_comment(
    head_sha: str, findings: Sequence[Finding], followup_pr: int | None, followup_possible: bool
) -> str:
    lines = [SUMMARY_MARKER, f"### optiagent: {len(findings)} verified speedup(s) at {head_sha[:7]}", ""]
    for place, title in (
        (Place.SUGGESTION, "Suggested in the review"),
        (Place.FOLLOWUP, "In the follow-up pull request"),
        (Place.PATCH, "Patches"),
    ):
        chosen = [f for f in findings if f.place is place]
        if not chosen:
            continue
        lines += [f"#### {title}", ""]
        if place is Place.FOLLOWUP:
            if followup_pr is not None:
                lines += [f"Opened as #{followup_pr} (against this pull request's branch).", ""]
            elif followup_possible:
                lines += [
                    "Comment `/optiagent pr` (or press the check run's button) to open them as a pull request.",
                    "",
                ]
        for finding in chosen:
            lines += [f"- {headline(finding)}", _indent(evidence(finding))]
            if place is not Place.SUGGESTION:
                lines += [
                    "",
                    "  <details><summary>diff</summary>",
                    "",
                    "  ```diff",
                    _indent(finding.diff.rstrip()),
                    "  ```",
                    "  </details>",
                ]
            lines.append("")
    lines.append(
        "<sub>Edits are published only when verified and when their interval's lower bound clears min_speedup. `/optiagent help` lists the commands.</sub>"
    )
    return bounded("\n".join(lines))


def check_output(
    findings: Sequence[Finding], spans: dict[str, list[FunctionSpan]], notes: Sequence[str], job_note: str
) -> CheckOutput:
    if findings:
        title = f"{len(findings)} verified speedup(s)"
        summary = "\n".join(f"- {headline(f)} ({f.place.value})" for f in findings)
    else:
        title = "No verified speedup"
        summary = "No edit of the changed functions was both verified and measurably faster."
    text = "\n".join([job_note, "", *[f"- {note}" for note in notes]]).strip()
    annotations = []
    for finding in findings:
        span = next((s for s in spans.get(finding.file, []) if s.qualname == finding.qualname), None)
        if span is not None:
            annotations.append(
                Annotation(
                    finding.file,
                    span.def_line,
                    span.def_line,
                    bounded(headline(finding), 64_000),
                    "optiagent",
                )
            )
    return CheckOutput(
        bounded(title, 255), bounded(summary), bounded(text), tuple(annotations[:MAX_ANNOTATIONS])
    )


def plain(title: str, summary: str, text: str = "") -> CheckOutput:
    return CheckOutput(bounded(title, 255), bounded(summary), bounded(text))


def followup_body(source_pr: int, findings: Sequence[Finding]) -> str:
    lines = [f"Verified, measured speedups for #{source_pr}, made by optiagent against its branch.", ""]
    for finding in findings:
        lines += [f"- {headline(finding)}", _indent(evidence(finding)), ""]
    return bounded("\n".join(lines))


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else "" for line in text.splitlines())
