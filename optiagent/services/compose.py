"""One text per file for `--apply`: a file's accepted edits composed, then checked again as a whole.

Each accepted edit was proven alone, on its own target's inputs, against the original module. Put
together, edits can interact (one memoizes a helper another target calls), so the composed module
is checked again, as the single candidate of a check job, on the inputs of every improved target
of the file. If that fails, edits are added one at a time, fastest first, keeping each with which
the module still checks.

A catalogue edit may also rewrite the helpers its target calls; it was checked only through the
target's calls, never on the helpers' other callers' inputs. So every function an edit changes
besides its target must be a target of the run itself (with the workload's calls of it from all
callers), and the module is checked on its inputs too; an edit that changes a function with no
inputs of its own is left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from optiagent.domain.composition import ComposedFile, DroppedEdit
from optiagent.domain.edits import unified_diff
from optiagent.domain.report import TargetReport, TargetStatus
from optiagent.domain.verdicts import Equivalent, Mismatch, verdict_name
from optiagent.rewrite.compose import ComposeError, Composition, Edit, changed_outside, compose_edits
from optiagent.services.target_run import Services, TargetJob
from optiagent.verify.jobs import check_job
from optiagent.verify.verdicts import read_checks


def compose_project(
    services: Services, jobs: Sequence[TargetJob], results: Sequence[TargetReport]
) -> list[ComposedFile]:
    """Composes each file's improved targets and attaches the file's composition to each of them
    (`TargetReport.composition`); a target whose edit was left out gets a note saying why."""
    by_target = {(job.report_file, job.target.qualname): job for job in jobs}
    files: dict[str, list[tuple[TargetReport, TargetJob]]] = {}
    for result in results:
        job = by_target.get((result.file, result.qualname))
        if result.status is TargetStatus.IMPROVED and result.new_source is not None and job is not None:
            files.setdefault(result.file, []).append((result, job))
    composed: list[ComposedFile] = []
    for file, pairs in files.items():
        pairs.sort(key=lambda pair: -(pair[0].speedup or 0.0))
        planned = {job.target.qualname: job for job in jobs if job.report_file == file}
        composition = _compose_file(services, file, pairs, planned)
        dropped = {d.qualname: d.reason for d in composition.dropped}
        for result, _ in pairs:
            result.composition = composition
            if result.qualname in dropped:
                result.notes.append(f"not applied: {dropped[result.qualname]}")
        services.progress.event(
            "file_composed", file=file, edits=len(composition.edits), dropped=len(composition.dropped)
        )
        composed.append(composition)
    return composed


def _helpers(
    original: str, pairs: Sequence[tuple[TargetReport, TargetJob]], planned: Mapping[str, TargetJob]
) -> tuple[list[tuple[TargetReport, TargetJob]], list[TargetJob], list[DroppedEdit]]:
    """The edits whose every changed function besides their target is a planned target, the jobs
    of those functions (to check the module on), and the other edits, left out with why."""
    usable: list[tuple[TargetReport, TargetJob]] = []
    helper_jobs: dict[str, TargetJob] = {}
    dropped: list[DroppedEdit] = []
    for result, job in pairs:
        try:
            outside = changed_outside(original, result.new_source or original, result.qualname)
        except ComposeError:
            outside = []  # composing reports it
        missing = [name for name in outside if name not in planned]
        if missing:
            dropped.append(
                DroppedEdit(
                    result.qualname,
                    f"it also changes {', '.join(missing)}, which the workload gave no inputs of its "
                    "own to check the change on (only through this target's calls)",
                )
            )
            continue
        usable.append((result, job))
        helper_jobs.update((name, planned[name]) for name in outside)
    return usable, list(helper_jobs.values()), dropped


def _compose_file(
    services: Services,
    file: str,
    pairs: Sequence[tuple[TargetReport, TargetJob]],
    planned: Mapping[str, TargetJob],
) -> ComposedFile:
    """`pairs` fastest first. The composition is checked on every improved target of the file,
    also those whose edit is left out (an edit can change what another target's function does),
    and on every function an edit changed besides its target."""
    original = pairs[0][1].source
    first = pairs[0]
    own_jobs = [job for _, job in pairs]
    pairs, helper_jobs, dropped = _helpers(original, pairs, planned)
    jobs = own_jobs + [job for job in helper_jobs if job not in own_jobs]
    edits = [Edit(result.qualname, result.new_source or original) for result, _ in pairs]
    if not edits:
        text, kept = original, []
    elif len(edits) == 1 and not helper_jobs:  # proven alone already, on the file's only improved target
        text, kept = edits[0].source, [edits[0].qualname]
    elif len(edits) == 1:  # proven on its target; its changed helpers on their own inputs
        failure = _check(services, edits[0].source, helper_jobs)
        if failure is None:
            text, kept = edits[0].source, [edits[0].qualname]
        else:
            text, kept = original, []
            dropped.append(DroppedEdit(edits[0].qualname, f"the module with it fails {failure}"))
    else:
        try:
            whole = compose_edits(original, edits)
        except ComposeError as error:
            whole = Composition(original, (edits[0].qualname,))
            dropped = [
                DroppedEdit(e.qualname, f"the edits could not be composed ({error})") for e in edits[1:]
            ]
        else:
            dropped = [DroppedEdit(c.qualname, c.reason) for c in whole.conflicts]
        if len(whole.composed) > 1 and _check(services, whole.source, jobs) is None:
            text, kept = whole.source, list(whole.composed)
        else:
            text, kept, failed = _greedily(services, original, edits, jobs, whole.composed)
            dropped.extend(failed)
    return ComposedFile(
        file=file,
        original_hash=first[0].original_hash or first[1].source_hash,
        source=text,
        edits=kept,
        dropped=dropped,
        validated_on=[job.target.qualname for job in jobs] if kept else [],
        diff=unified_diff(original, text, file),
    )


def _greedily(
    services: Services,
    original: str,
    edits: Sequence[Edit],
    jobs: Sequence[TargetJob],
    order: Sequence[str],
) -> tuple[str, list[str], list[DroppedEdit]]:
    """Fastest first, each edit kept only if the module with it and those kept still checks."""
    by_name = {edit.qualname: edit for edit in edits}
    text, kept, dropped = original, list[str](), list[DroppedEdit]()
    for name in order:
        chosen = [by_name[q] for q in (*kept, name)]
        trial = chosen[0].source if len(chosen) == 1 else compose_edits(original, chosen).source
        failure = _check(services, trial, jobs)
        if failure is None:
            text, kept = trial, [*kept, name]
            continue
        others = f" and the faster edits of {', '.join(kept)}" if kept else ""
        dropped.append(DroppedEdit(name, f"the module with it{others} fails {failure}"))
    return text, kept, dropped


def _check(services: Services, text: str, jobs: Sequence[TargetJob]) -> str | None:
    """None when `text` is equivalent to the original on every job's target; else what failed."""

    def one(job: TargetJob) -> str | None:
        spec = check_job(job.target, job.evidence, [text], services.check)
        [outcome] = read_checks(services.sandbox.run(spec), 1)
        if isinstance(outcome.verdict, Equivalent) and not outcome.no_inputs:
            return None
        verdict = outcome.verdict
        detail = getattr(verdict, "detail", "") or outcome.note or "nothing could be checked"
        if isinstance(verdict, Mismatch):
            detail += f" on {verdict.source} input {verdict.counterexample[:200]}"
        return f"the check of {job.target.qualname}: {verdict_name(verdict)}, {detail}"[:600]

    with ThreadPoolExecutor(max_workers=max(1, min(services.workers, len(jobs)))) as pool:
        failures = [f for f in pool.map(one, jobs) if f is not None]
    return failures[0] if failures else None
