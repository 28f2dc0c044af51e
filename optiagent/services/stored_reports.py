"""Reports kept in history: `finish_run` stores each run's report JSON with the run."""

from __future__ import annotations

import copy
from typing import Any

from optiagent.domain.errors import InputError
from optiagent.domain.history import RunRecord
from optiagent.ports.store import EditStore


def find_run(store: EditStore, run_id: str) -> RunRecord:
    """Run `run_id`, or the one run with accepted edits whose id starts so; InputError if none."""
    run = store.get_run(run_id)
    if run is None and run_id:
        matches = sorted({e.run_id for e in store.accepted_edits() if e.run_id.startswith(run_id)})
        if len(matches) > 1:
            raise InputError(f"run id {run_id} is ambiguous: {', '.join(m[:12] for m in matches)}")
        run = store.get_run(matches[0]) if matches else None
    if run is None:
        raise InputError(
            f"no run {run_id!r} in this history store (`optiagent history` lists runs with accepted "
            "edits; pass the project directory or --db of the run)"
        )
    return run


def stored_report(store: EditStore, run_id: str) -> dict[str, Any]:
    """The report of run `run_id` (or of the one run with accepted edits whose id starts so),
    with `applied` as history knows it now (an edit written by --apply after the report)."""
    run = find_run(store, run_id)
    edits = store.accepted_edits()
    kept = run.summary.get("report")
    if not isinstance(kept, dict):
        raise InputError(
            f"run {run.id} has no report in history (it did not finish, or predates kept reports)"
        )
    report: dict[str, Any] = copy.deepcopy(kept)
    applied = {(e.file, e.qualname) for e in edits if e.run_id == run.id and e.applied}
    for target in report.get("targets", []):
        if (target.get("file"), target.get("qualname")) in applied:
            target["applied"] = True
    return report
