"""`check` mode: differential testing of a candidate against the original inside the box.

Job keys: base_dir, module_name, original_file, candidate_file, qualname, captures (paths),
examples ([[expression, expected]]), params (per-parameter shapes from the capture, by name),
hypothesis {max_examples, seed}, stress {enabled, low_s, high_s, max_factor, budget_s},
call_timeout_s, budget_s. Writes a verdict dict (see `Verdict*` keys below) to the output file.
"""

from __future__ import annotations

import copy
import math
import pickle
import time
import types
from collections import Counter
from collections.abc import Callable
from typing import Any

from .caches import clear_caches
from .inputs import CapturedCall, load_captured, scale_call
from .loading import import_original, is_method, load_candidate, owner_class, read_text, resolve
from .outcome import Outcome, outcomes_agree, run_call
from .timer import CallTimeout, time_limit


class Mismatch(Exception):
    def __init__(self, source: str, counterexample: str, detail: str) -> None:
        super().__init__(detail)
        self.source, self.counterexample, self.detail = source, counterexample, detail


class CandidateTooSlow(Exception):
    pass


def render_call(call: CapturedCall, limit: int = 600) -> str:
    parts = [repr(a) for a in call.args] + [f"{k}={v!r}" for k, v in call.kwargs.items()]
    text = ", ".join(parts)
    return f"({text[:limit]}{'...' if len(text) > limit else ''})"


class Differential:
    """Runs the original twice (determinism) and the candidate once per input and compares."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.job = job
        self.original = import_original(job["module_name"], job["base_dir"], job["original_file"])
        self.candidate = load_candidate(self.original, read_text(job["candidate_file"]))
        qualname = job["qualname"]
        self.f_original: Callable[..., Any] = resolve(self.original, qualname)
        self.f_candidate: Callable[..., Any] = resolve(self.candidate, qualname)
        self.method = is_method(self.original, qualname)
        self.candidate_class = owner_class(self.candidate, qualname) if self.method else None
        self.call_timeout = float(job.get("call_timeout_s", 5.0))
        self.checked: Counter[str] = Counter()
        self.nondeterministic = 0
        self.largest = 0
        self.slowest_original_s = 0.0
        self.deadline = time.perf_counter() + float(job.get("budget_s", 40.0))

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()

    def _candidate_call(self, call: CapturedCall) -> Outcome:
        args = call.args
        if self.method and args and self.candidate_class is not None:
            receiver = copy.deepcopy(args[0])
            try:
                receiver.__class__ = self.candidate_class
            except TypeError:
                pass
            args = (receiver, *args[1:])
        return run_call(self.f_candidate, args, call.kwargs)

    def compare(self, call: CapturedCall, source: str, original_limit: float | None = None) -> bool:
        """True when checked; False when the input was dropped (original too slow or flaky)."""
        limit = original_limit or self.call_timeout
        clear_caches(self.original)
        clear_caches(self.candidate)
        try:
            started = time.perf_counter()
            with time_limit(limit):
                first = run_call(self.f_original, call.args, call.kwargs, seed=0)
            elapsed = time.perf_counter() - started
            clear_caches(self.original)
            with time_limit(limit):
                second = run_call(self.f_original, call.args, call.kwargs, seed=1)
        except (CallTimeout, RecursionError):
            return False
        if first.raised == "RecursionError":
            return False  # too deep for this interpreter: not an input to judge anyone on
        if outcomes_agree(first, second) is not None:
            self.nondeterministic += 1
            return False
        try:
            with time_limit(max(limit, elapsed * 20 + 1.0)):
                mine = self._candidate_call(call)
        except CallTimeout:
            raise CandidateTooSlow(
                f"candidate exceeded {max(limit, elapsed * 20 + 1.0):.1f}s on {source} input {render_call(call)}"
            ) from None
        difference = outcomes_agree(first, mine)
        if difference is not None:
            raise Mismatch(source, render_call(call), difference)
        self.checked[source] += 1
        self.slowest_original_s = max(self.slowest_original_s, elapsed)
        return True

    def compare_expression(self, expression: str) -> None:
        def evaluate(module: types.ModuleType) -> Outcome:
            return run_call(lambda: eval(expression, dict(vars(module))), (), {})

        first, second, mine = evaluate(self.original), evaluate(self.original), evaluate(self.candidate)
        if outcomes_agree(first, second) is not None:
            self.nondeterministic += 1
            return
        difference = outcomes_agree(first, mine)
        if difference is not None:
            raise Mismatch("docstring", expression, difference)
        self.checked["docstring"] += 1


def escalate(
    diff: Differential, seeds: list[CapturedCall], settings: dict[str, Any]
) -> list[tuple[CapturedCall, dict[str, Any]]]:
    """Grow inputs geometrically until the original needs low_s..high_s per call (or a cap)."""
    low, high = float(settings.get("low_s", 0.05)), float(settings.get("high_s", 0.5))
    max_factor = int(settings.get("max_factor", 4096))
    deadline = time.perf_counter() + min(
        float(settings.get("budget_s", 10.0)), max(diff.remaining() / 2, 0.0)
    )
    found: list[tuple[CapturedCall, dict[str, Any]]] = []
    for index, seed in enumerate(seeds[:3]):
        factor = 1
        points: list[tuple[int, float]] = []  # (factor, seconds) of the original
        while factor <= max_factor and time.perf_counter() < deadline:
            grown = scale_call(seed, factor, seed=index, skip_first=diff.method)
            try:
                started = time.perf_counter()
                with time_limit(high * 4):
                    run_call(diff.f_original, grown.args, grown.kwargs)
                elapsed = time.perf_counter() - started
            except (CallTimeout, MemoryError):
                break
            points.append((factor, elapsed))
            if elapsed >= low:
                break
            factor *= 2
        if points and points[-1][1] > high and len(points) > 1:
            points.pop()  # overshot the band: the previous size is the stress input
        if points and points[-1][0] > 1:
            chosen_factor, seconds = points[-1]
            recipe = {
                "index": index,
                "factor": chosen_factor,
                "seconds": seconds,
                "exponent": scaling_exponent(points),
            }
            found.append((scale_call(seed, chosen_factor, seed=index, skip_first=diff.method), recipe))
    return found


def scaling_exponent(points: list[tuple[int, float]]) -> float | None:
    """How the original's time grows with input size (t ~ n^k), from the two largest sizes."""
    usable = [(f, t) for f, t in points if t > 0.002]
    if len(usable) < 2:
        return None
    (f1, t1), (f2, t2) = usable[-2], usable[-1]
    return round(math.log(t2 / t1) / math.log(f2 / f1), 2)


def run_check(job: dict[str, Any]) -> dict[str, Any]:
    from .generated import hypothesis_differential  # imports hypothesis only when needed

    diff = Differential(job)
    captured = load_captured(job.get("captures", []))
    stress_recipes: list[dict[str, Any]] = []
    stress_calls: list[CapturedCall] = []
    try:
        for call in captured:
            diff.compare(call, "captured")
        for expression, _expected in job.get("examples", []):
            diff.compare_expression(expression)
        generated_note = hypothesis_differential(diff, captured, job)
        stress = job.get("stress", {})
        seeds = captured or generated_seed_calls(diff, job)
        if stress.get("enabled", True) and seeds:
            for call, recipe in escalate(diff, seeds, stress):
                if diff.compare(call, "stress", original_limit=float(stress.get("high_s", 0.5)) * 4):
                    stress_recipes.append(recipe)
                    stress_calls.append(call)
    except Mismatch as mismatch:
        return {
            "verdict": "mismatch",
            "source": mismatch.source,
            "counterexample": mismatch.counterexample,
            "detail": mismatch.detail,
            "checked": dict(diff.checked),
        }
    except CandidateTooSlow as slow:
        return {"verdict": "timed_out", "detail": str(slow), "checked": dict(diff.checked)}
    total = sum(diff.checked.values())
    if diff.nondeterministic and diff.nondeterministic >= total:
        return {
            "verdict": "nondeterministic",
            "checked": dict(diff.checked),
            "detail": f"the original gave different results on {diff.nondeterministic} repeated inputs",
        }
    if total == 0:
        return {
            "verdict": "no_inputs",
            "checked": {},
            "detail": generated_note or "no inputs could be produced",
        }
    write_bench_inputs(job, stress_calls or captured[:20] or generated_seed_calls(diff, job))
    return {
        "verdict": "equivalent",
        "checked": dict(diff.checked),
        "stress": stress_recipes,
        "note": generated_note,
        "slowest_original_s": diff.slowest_original_s,
    }


def generated_seed_calls(diff: Differential, job: dict[str, Any]) -> list[CapturedCall]:
    from .generated import seed_calls

    return seed_calls(diff, job)


def write_bench_inputs(job: dict[str, Any], calls: list[CapturedCall]) -> None:
    """The inputs benchmarks run on, kept as opaque bytes by the host (never unpickled there)."""
    path = job.get("bench_inputs_out")
    if path:
        with open(path, "wb") as handle:
            pickle.dump([(call.args, call.kwargs) for call in calls], handle)
