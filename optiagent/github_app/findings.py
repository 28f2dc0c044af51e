"""Which edits of a job's report are published, and where: the publishing decisions, pure.

Published: improved targets whose interval's lower bound clears the repository's min_speedup. Each
goes to exactly one place: a suggestion in the review (one hunk, few lines, every replaced line inside
the pull request's diff, at most max_suggestions), else the follow-up pull request, else (a fork, or
follow-ups turned off) a patch in the summary comment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from optiagent.github_app.config import RepoConfig
from optiagent.github_app.hunks import DiffLines, parse_hunks


class Place(StrEnum):
    SUGGESTION = "suggestion"
    FOLLOWUP = "followup"
    PATCH = "patch"  # in the summary comment


@dataclass(frozen=True)
class Suggestion:
    """Lines start..end of the head's file replaced by `lines` (GitHub's suggestion semantics)."""

    path: str
    start: int
    end: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    file: str
    qualname: str
    speedup: float
    ci: tuple[float, float]
    original_s: float | None
    candidate_s: float | None
    inputs: Mapping[str, int]  # where the differential cases came from: captured, hypothesis, ...
    strategy: str
    rules: tuple[str, ...]
    explanation: str
    diff: str
    place: Place = Place.PATCH
    suggestion: Suggestion | None = None

    @property
    def cases(self) -> int:
        return sum(self.inputs.values())

    def to_json(self) -> dict[str, Any]:
        data = {
            "file": self.file,
            "qualname": self.qualname,
            "speedup": self.speedup,
            "ci": list(self.ci),
            "original_s": self.original_s,
            "candidate_s": self.candidate_s,
            "inputs": dict(self.inputs),
            "strategy": self.strategy,
            "rules": list(self.rules),
            "explanation": self.explanation,
            "diff": self.diff,
            "place": self.place.value,
        }
        if self.suggestion:
            s = self.suggestion
            data["suggestion"] = {"path": s.path, "start": s.start, "end": s.end, "lines": list(s.lines)}
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        raw = data.get("suggestion")
        suggestion = (
            Suggestion(str(raw["path"]), int(raw["start"]), int(raw["end"]), tuple(raw["lines"]))
            if isinstance(raw, Mapping)
            else None
        )
        return cls(
            file=str(data["file"]),
            qualname=str(data["qualname"]),
            speedup=float(data["speedup"]),
            ci=(float(data["ci"][0]), float(data["ci"][1])),
            original_s=data.get("original_s"),
            candidate_s=data.get("candidate_s"),
            inputs={str(k): int(v) for k, v in dict(data.get("inputs") or {}).items()},
            strategy=str(data.get("strategy") or ""),
            rules=tuple(data.get("rules") or ()),
            explanation=str(data.get("explanation") or ""),
            diff=str(data["diff"]),
            place=Place(str(data.get("place") or Place.PATCH.value)),
            suggestion=suggestion,
        )


@dataclass(frozen=True)
class Decisions:
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = field(default=())  # what was not published, and why

    def placed(self, place: Place) -> list[Finding]:
        return [f for f in self.findings if f.place is place]


def publishable(
    report: Mapping[str, Any], min_speedup: float, explain: Callable[[str], str]
) -> tuple[list[Finding], list[str]]:
    """Improved targets whose lower bound clears min_speedup, fastest first; notes for the others."""
    found, notes = [], []
    for target in report.get("targets") or ():
        if not isinstance(target, Mapping) or target.get("status") != "improved":
            continue
        name = f"{target.get('file')}::{target.get('qualname')}"
        ci, diff, speedup = target.get("ci"), target.get("diff"), target.get("speedup")
        if not (isinstance(ci, list) and len(ci) == 2 and isinstance(diff, str) and diff and speedup):
            notes.append(f"{name}: no interval or diff in the report")
            continue
        if float(ci[0]) < min_speedup:
            notes.append(f"{name}: lower bound {float(ci[0]):.2f}x does not clear {min_speedup:.2f}x")
            continue
        evidence = target.get("evidence") if isinstance(target.get("evidence"), Mapping) else {}
        assert isinstance(evidence, Mapping)
        inputs = evidence.get("inputs_checked")
        rules = tuple(str(r) for r in target.get("rules") or ())
        explanation = "; ".join(e for e in (explain(r) for r in rules) if e)
        found.append(
            Finding(
                file=str(target["file"]),
                qualname=str(target["qualname"]),
                speedup=float(speedup),
                ci=(float(ci[0]), float(ci[1])),
                original_s=_float(evidence.get("original_s")),
                candidate_s=_float(evidence.get("candidate_s")),
                inputs={str(k): int(v) for k, v in inputs.items()} if isinstance(inputs, Mapping) else {},
                strategy=str(target.get("strategy") or ""),
                rules=rules,
                explanation=explanation or f"found by the {target.get('strategy') or 'unknown'} strategy",
                diff=diff,
            )
        )
    found.sort(key=lambda f: -f.ci[0])
    return found, notes


def suggestion_for(finding: Finding, lines: DiffLines, max_lines: int) -> Suggestion | None:
    """The edit as one suggestion, when it is one hunk of at most max_lines lines that replaces
    only lines inside the pull request's diff (else GitHub answers 422, or a reader is surprised)."""
    hunks = parse_hunks(finding.diff)
    if len(hunks) != 1:
        return None
    hunk = hunks[0]
    body = list(hunk.lines)
    changed = [i for i, line in enumerate(body) if line[0] != " "]
    if not changed:
        return None
    first, last = changed[0], changed[-1]
    if not any(body[i][0] == "-" for i in range(first, last + 1)):  # a pure insertion: anchor on a line
        if first > 0:
            first -= 1
        elif last + 1 < len(body):
            last += 1
        else:
            return None
    old_line = hunk.old_start + sum(1 for line in body[:first] if line[0] != "+")
    old = [line for line in body[first : last + 1] if line[0] != "+"]
    new = tuple(line[1:] for line in body[first : last + 1] if line[0] != "-")
    start, end = old_line, old_line + len(old) - 1
    if max(len(old), len(new)) > max_lines:
        return None
    if not all(n in lines.in_hunks for n in range(start, end + 1)):
        return None
    return Suggestion(finding.file, start, end, new)


def decide(
    findings: Sequence[Finding], diff_lines: Mapping[str, DiffLines], config: RepoConfig, fork: bool
) -> Decisions:
    placed: list[Finding] = []
    suggestions = 0
    for finding in findings:
        suggestion = None
        if suggestions < config.max_suggestions and finding.file in diff_lines:
            suggestion = suggestion_for(finding, diff_lines[finding.file], config.max_suggestion_lines)
        if suggestion is not None:
            suggestions += 1
            placed.append(_with(finding, Place.SUGGESTION, suggestion))
        elif fork or config.followup == "never":
            placed.append(_with(finding, Place.PATCH))
        else:
            placed.append(_with(finding, Place.FOLLOWUP))
    return Decisions(tuple(placed))


def demote(findings: Sequence[Finding]) -> list[Finding]:
    """Suggestions GitHub refused (422) go to the summary comment as patches instead."""
    return [_with(f, Place.PATCH) if f.place is Place.SUGGESTION else f for f in findings]


def _with(finding: Finding, place: Place, suggestion: Suggestion | None = None) -> Finding:
    return Finding(**{**finding.__dict__, "place": place, "suggestion": suggestion})


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
