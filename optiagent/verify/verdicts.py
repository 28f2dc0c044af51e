"""Turn a check job's sandbox result into a typed verdict."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from optiagent.domain.verdicts import Crashed, Equivalent, Mismatch, Nondeterministic, TimedOut, Verdict
from optiagent.ports.sandbox import SandboxResult, SandboxStatus
from optiagent.verify.jobs import BENCH_INPUTS_FILE, RESULT_FILE

# A first timing is one wall-clock pass per side: below this much of the original's time it is
# noise (idna's intranges_contain, 10 us a pass: 0.26x, then 1.02x when paired and benchmarked).
MIN_HINT_S = 0.005


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
    fingerprint: str | None = None  # behavioural fingerprint on the probe inputs
    duplicate_of: int | None = None  # same fingerprint as this earlier candidate: not checked again
    from_cache: bool = False  # the verdict came from the verdict cache; only timed in this job
    slowest: dict[str, Any] = field(default_factory=dict)  # the slowest input: source, both times
    candidate_exponent: float | None = None  # t ~ n^k of the candidate on the stress input
    # (scale factor, CPU seconds per call) of the candidate on the seed of the first stress input
    # with an exponent (its recipe's "scaling" holds the original's points at the same factors).
    candidate_scaling: tuple[tuple[float, float], ...] = ()
    # Output hashes on stress inputs the original could not finish (None: neither could this).
    beyond_budget: tuple[str | None, ...] = ()
    # The original checked as a candidate of itself: "equivalent", else why not (None: not run).
    self_check: str | None = None

    @property
    def timing_hint(self) -> float | None:
        """The first timing, only when the original's pass was long enough for it to mean anything."""
        if self.original_bench_s is None or self.original_bench_s < MIN_HINT_S:
            return None
        return self.prescreen_speedup


@dataclass(frozen=True)
class WarmPass:
    """What the original's pass found, shared by every candidate of the job."""

    status: str  # ok | nondeterministic | no_inputs | failed
    detail: str = ""
    bench_inputs: bytes = b""
    stress: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    mutates_arguments: bool = True


def read_warm_pass(result: SandboxResult) -> WarmPass:
    raw = result.files.get(RESULT_FILE)
    try:
        data: dict[str, Any] = json.loads(raw) if raw is not None else {}
    except ValueError:
        data = {}
    shared = data.get("shared")
    if not isinstance(shared, dict):
        detail = str(data.get("detail") or f"sandbox status {result.status.value}: {_tail(result.stderr)}")
        return WarmPass("failed", detail)
    return WarmPass(
        status=str(shared.get("status", "ok")),
        detail=str(shared.get("detail", "")),
        bench_inputs=result.files.get(BENCH_INPUTS_FILE, b""),
        stress=list(shared.get("stress") or []),
        note=str(shared.get("note") or ""),
        mutates_arguments=bool(shared.get("mutates_arguments", True)),
    )


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
    outcomes = [_read_entry(entry, bench_inputs) for entry in entries]
    shared = data.get("shared")
    own = shared.get("self_check") if isinstance(shared, dict) else None
    if own is not None:
        outcomes = [dataclasses.replace(outcome, self_check=str(own)) for outcome in outcomes]
    for index, entry in enumerate(entries):
        first = entry.get("same_as") if entry.get("verdict") == "duplicate" else None
        if isinstance(first, int) and 0 <= first < count and first != index:
            outcomes[index] = dataclasses.replace(
                outcomes[first], duplicate_of=first, prescreen_speedup=None, from_cache=False
            )
    return outcomes


def _read_entry(data: dict[str, Any], bench_inputs: bytes) -> CheckOutcome:
    checked = {str(k): int(v) for k, v in (data.get("checked") or {}).items()}
    detail = str(data.get("detail", ""))
    match data.get("verdict"):
        case "equivalent":
            exponent = data.get("candidate_exponent")
            return CheckOutcome(
                Equivalent(checked=checked),
                bench_inputs=bench_inputs,
                stress=list(data.get("stress") or []),
                note=str(data.get("note") or ""),
                prescreen_speedup=float(data["prescreen_speedup"]) if data.get("prescreen_speedup") else None,
                mutates_arguments=bool(data.get("mutates_arguments", True)),
                original_bench_s=float(data["original_bench_s"]) if data.get("original_bench_s") else None,
                fingerprint=str(data["fingerprint"]) if data.get("fingerprint") else None,
                from_cache=bool(data.get("from_cache", False)),
                slowest=dict(data.get("slowest") or {}),
                candidate_exponent=float(exponent) if exponent is not None else None,
                candidate_scaling=tuple(
                    (float(factor), float(seconds)) for factor, seconds in data.get("candidate_scaling") or ()
                ),
                beyond_budget=tuple(
                    str(h) if h is not None else None for h in data.get("beyond_budget") or ()
                ),
            )
        case "mismatch":
            return CheckOutcome(
                Mismatch(str(data.get("counterexample", "")), str(data.get("source", "")), detail),
                fingerprint=str(data["fingerprint"]) if data.get("fingerprint") else None,
            )
        case "timed_out":
            return CheckOutcome(TimedOut(detail))
        case "nondeterministic":
            return CheckOutcome(Nondeterministic(detail))
        case "no_inputs":
            return CheckOutcome(Crashed(detail), no_inputs=True, note=detail)
        case _:
            return CheckOutcome(Crashed(detail or "the harness failed"))


def read_self_check(result: SandboxResult) -> str | None:
    """A check job's self-check: "equivalent", else why not; None when it did not run (the
    original was nondeterministic, had no inputs, or the job failed)."""
    try:
        data = json.loads(result.files.get(RESULT_FILE) or b"{}")
    except ValueError:
        return None
    shared = data.get("shared") if isinstance(data, dict) else None
    value = shared.get("self_check") if isinstance(shared, dict) else None
    return str(value) if value is not None else None


def read_check(result: SandboxResult) -> CheckOutcome:
    """The outcome of a check job with a single candidate."""
    return read_checks(result, 1)[0]
