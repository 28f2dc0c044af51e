"""Turn a check job's sandbox result into a typed verdict."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from optiagent.domain.verdicts import Crashed, Equivalent, Mismatch, Nondeterministic, TimedOut, Verdict
from optiagent.ports.sandbox import SandboxResult, SandboxStatus
from optiagent.verify.jobs import BENCH_INPUTS_FILE, RESULT_FILE


@dataclass(frozen=True)
class CheckOutcome:
    verdict: Verdict
    bench_inputs: bytes = b""
    no_inputs: bool = False  # nothing could be checked: the target is skipped, not failed
    stress: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    prescreen_speedup: float | None = None
    mutates_arguments: bool = True
    original_bench_s: float | None = None


def _tail(data: bytes, size: int = 600) -> str:
    return data.decode("utf-8", "replace")[-size:].strip()


def read_checks(result: SandboxResult, count: int) -> list[CheckOutcome]:
    """One outcome per candidate of a check job, in order."""
    raw = result.files.get(RESULT_FILE)
    if result.status is SandboxStatus.TIMEOUT:
        timed_out = CheckOutcome(TimedOut(f"validation exceeded its time limit after {result.wall_s:.1f}s"))
        return [timed_out] * count
    if raw is None:
        return [
            CheckOutcome(Crashed(f"sandbox status {result.status.value}: {_tail(result.stderr)}"))
        ] * count
    try:
        data: dict[str, Any] = json.loads(raw)
    except ValueError:
        return [CheckOutcome(Crashed("the harness wrote an unreadable result"))] * count
    entries = data.get("results")
    if not isinstance(entries, list) or len(entries) != count:
        return [_read_entry(data, b"")] * count  # the whole job failed (e.g. the original did not load)
    bench_inputs = result.files.get(BENCH_INPUTS_FILE, b"")
    return [_read_entry(entry, bench_inputs) for entry in entries]


def _read_entry(data: dict[str, Any], bench_inputs: bytes) -> CheckOutcome:
    checked = {str(k): int(v) for k, v in (data.get("checked") or {}).items()}
    detail = str(data.get("detail", ""))
    match data.get("verdict"):
        case "equivalent":
            return CheckOutcome(
                Equivalent(checked=checked),
                bench_inputs=bench_inputs,
                stress=list(data.get("stress") or []),
                note=str(data.get("note") or ""),
                prescreen_speedup=float(data["prescreen_speedup"]) if data.get("prescreen_speedup") else None,
                mutates_arguments=bool(data.get("mutates_arguments", True)),
                original_bench_s=float(data["original_bench_s"]) if data.get("original_bench_s") else None,
            )
        case "mismatch":
            return CheckOutcome(
                Mismatch(str(data.get("counterexample", "")), str(data.get("source", "")), detail)
            )
        case "timed_out":
            return CheckOutcome(TimedOut(detail))
        case "nondeterministic":
            return CheckOutcome(Nondeterministic(detail))
        case "no_inputs":
            return CheckOutcome(Crashed(detail), no_inputs=True, note=detail)
        case _:
            return CheckOutcome(Crashed(detail or "the harness failed"))


def read_check(result: SandboxResult) -> CheckOutcome:
    """The outcome of a check job with a single candidate."""
    return read_checks(result, 1)[0]
