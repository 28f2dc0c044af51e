"""Why each hot target of a realworld_yield run was or was not improved: one line per target.

Reads what `realworld_yield.py` keeps per library under `<cache>/logs/<lib>-<version>/`: the optimize
report (`report.json`) and the run's history database (`history.db`: every candidate with its rules,
verdict, counterexample and measurement). Prints, hottest first, each target's stage and reason, and
for each candidate the rule that proposed it, its verdict and its measured speedup.

    python benchmarks/realworld_diagnose.py [--cache DIR] [--libs sqlparse,idna] [--detail 160]

The stages, in pipeline order: not a target, not started (budget), self-check, no candidate, rejected
(verdict), not significant (benchmark), improved; applied or not is shown beside improved.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_CACHE = Path.home() / ".cache" / "optiagent-realworld"


@dataclass
class CandidateRow:
    rules: list[str]
    verdict: str
    detail: str
    speedup: float | None
    accepted: bool | None


@dataclass
class TargetRow:
    file: str
    qualname: str
    status: str
    reason: str
    self_check: str | None
    candidates: list[CandidateRow] = field(default_factory=list)

    @property
    def stage(self) -> str:
        return stage_of(self.status, self.reason, self.self_check, self.candidates)


def stage_of(status: str, reason: str, self_check: str | None, candidates: Sequence[CandidateRow]) -> str:
    """The pipeline stage that stopped a target (or `improved`)."""
    if status == "improved":
        return "improved"
    if status == "skipped" and reason.startswith("not started"):
        return "not started (budget)"
    if self_check not in (None, "equivalent"):
        return "self-check"
    if not candidates:
        return "no candidate" if "no strategy proposed" in reason or status == "unchanged" else status
    if any(c.verdict == "equivalent" for c in candidates):
        return (
            "not significant" if any(c.speedup is not None for c in candidates) else "equivalent, not timed"
        )
    return "rejected"


def candidates_by_target(history: Path) -> dict[tuple[str, str], list[CandidateRow]]:
    """Every candidate of the last run in the database, by (file, qualname)."""
    if not history.exists():
        return {}
    connection = sqlite3.connect(f"file:{history}?mode=ro", uri=True)
    try:
        (run_id,) = connection.execute("select id from runs order by started_at desc limit 1").fetchone()
        rows = connection.execute(
            "select t.file, t.qualname, c.rules, v.verdict, v.detail, m.speedup, m.accepted "
            "from targets t join candidates c on c.target_id = t.id "
            "left join verdicts v on v.candidate_id = c.id "
            "left join measurements m on m.candidate_id = c.id where t.run_id = ?",
            (run_id,),
        ).fetchall()
    finally:
        connection.close()
    found: dict[tuple[str, str], list[CandidateRow]] = {}
    for file, qualname, rules, verdict, detail, speedup, accepted in rows:
        found.setdefault((file, qualname), []).append(
            CandidateRow(
                json.loads(rules or "[]"),
                verdict or "unchecked",
                detail or "",
                speedup,
                None if accepted is None else bool(accepted),
            )
        )
    return found


def target_rows(report: Mapping[str, Any], history: Path) -> list[TargetRow]:
    by_target = candidates_by_target(history)
    rows = []
    for target in report.get("targets", []):
        file, qualname = str(target.get("file")), str(target.get("qualname"))
        rows.append(
            TargetRow(
                file,
                qualname,
                str(target.get("status")),
                str(target.get("reason", "")),
                target.get("self_check"),
                by_target.get((file, qualname), []),
            )
        )
    return rows


def render(rows: Sequence[TargetRow], not_targets: Sequence[Mapping[str, Any]], width: int) -> str:
    lines = []
    for row in rows:
        lines.append(f"  {row.file}::{row.qualname}  [{row.stage}]  {row.reason[:width]}")
        if row.self_check not in (None, "equivalent"):
            lines.append(f"      self-check: {str(row.self_check)[:width]}")
        for c in row.candidates:
            timing = "" if c.speedup is None else f" {c.speedup:.3f}x{' accepted' if c.accepted else ''}"
            detail = f": {c.detail[:width]}" if c.detail else ""
            lines.append(f"      {','.join(c.rules) or '-'} {c.verdict}{timing}{detail}".replace("\n", " "))
    lines.extend(
        f"  {entry.get('file')}::{entry.get('function')}  [not a target]  {entry.get('reason')}"
        for entry in not_targets
    )
    stages = Counter(row.stage for row in rows)
    stages["not a target"] += len(not_targets)
    lines.append("  stages: " + ", ".join(f"{name} {count}" for name, count in stages.most_common()))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--libs", help="comma-separated library names (default: every one with logs)")
    parser.add_argument("--detail", type=int, default=160, help="characters of each reason and verdict")
    options = parser.parse_args(argv)
    wanted = {name.strip() for name in (options.libs or "").split(",") if name.strip()}
    for logs in sorted((options.cache.expanduser() / "logs").iterdir()):
        report_path = logs / "report.json"
        if not logs.is_dir() or not report_path.exists():
            continue
        if wanted and logs.name.rsplit("-", 1)[0] not in wanted:
            continue
        report = json.loads(report_path.read_text())
        print(f"== {logs.name}")
        print(render(target_rows(report, logs / "history.db"), report.get("not_targets", []), options.detail))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
