"""`check` mode: differential testing of every candidate of one target against the original.

Job keys: base_dir, module_name, original_file, candidate_files, qualname, captures (paths),
examples ([[expression, expected]]), params (per-parameter shapes from the capture, by name),
hypothesis {max_examples, call_timeout_s}, stress {enabled, low_s, high_s, max_factor, budget_s},
call_timeout_s, budget_s, parallel, bench_inputs_out, self_check.

The original's work (determinism runs, Hypothesis examples, stress escalation) is done once in a
warm pass. Then every candidate is fingerprinted on a few probe inputs (fingerprint.py), and one
candidate per class of equal fingerprints is checked in full; the others are reported as
duplicates of it. Candidates listed in `verified` (known equivalent on this input set, from the
host's verdict cache) only get their first timing. Each candidate runs in a forked child, so one
that crashes, hangs or exits takes only itself down. The result file holds one verdict per
candidate, in order, plus what the warm pass found (`shared`).

With `self_check`, the original's own text is first checked as a candidate of itself on the same
inputs (its outcomes are cached, so this is cheap; it is neither fingerprinted nor timed). Anything
but equivalent is a false rejection waiting to happen: every candidate then gets the verdict
`self_check_failed` instead of being judged by a broken oracle (`shared.self_check` says why).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import math
import os
import pickle
import signal
import time
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .caches import ModuleCaches, clear_caches
from .capture.pickling import dumps
from .copying import fresh_copy
from .differential import CandidateTooSlow, Differential, Mismatch, OriginalRuns
from .fingerprint import canonical, fingerprint, probe_calls
from .inputs import CapturedCall, capture_problems, load_captured, scale_call, shrink_call
from .loading import read_text
from .outcome import run_call
from .timer import CallTimeout, time_limit
from .twins import candidate_classes

# How a side of the comparison gets a call's (args, kwargs): the original takes it as captured, a
# candidate with its receiver on the candidate's classes (Differential.candidate_call).
CallOf = Callable[[CapturedCall], tuple[tuple[Any, ...], dict[str, Any]]]


def _as_captured(call: CapturedCall) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return call.args, call.kwargs


def escalate(
    diff: Differential,
    seeds: list[CapturedCall],
    settings: dict[str, Any],
    beyond: list[CapturedCall] | None = None,
) -> list[tuple[CapturedCall, dict[str, Any]]]:
    """Grow inputs geometrically until the original needs low_s..high_s per call (or a cap).

    A grown input the original cannot finish within 4 x high_s goes to `beyond`: no oracle there,
    so candidates are judged on it by consensus among themselves (B4, on the host)."""
    low, high = float(settings.get("low_s", 0.05)), float(settings.get("high_s", 0.5))
    max_factor = int(settings.get("max_factor", 4096))
    deadline = time.perf_counter() + min(
        float(settings.get("budget_s", 10.0)), max(diff.remaining() / 2, 0.0)
    )
    found: list[tuple[CapturedCall, dict[str, Any]]] = []
    for index, seed in enumerate(seeds[:3]):
        if not has_scalable_arguments(seed, diff.method):
            continue
        factor = 1
        points: list[tuple[int, float]] = []  # (factor, seconds) of the original
        while factor <= max_factor and time.perf_counter() < deadline:
            grown = scale_call(seed, factor, seed=index, skip_first=diff.method)
            try:
                started = time.perf_counter()
                with time_limit(high * 4):
                    run_call(diff.f_original, grown.args, grown.kwargs)
                elapsed = time.perf_counter() - started
            except CallTimeout:
                if beyond is not None and len(beyond) < _BEYOND_KEPT:
                    beyond.append(grown)
                break
            except MemoryError:
                break
            points.append((factor, elapsed))
            if elapsed >= low:
                break
            factor *= 2
        if len(points) == 1 and points[0][1] > _BENCH_CEILING_S:
            shrunk = _shrink_for_benchmark(diff, seed, points[0][1])
            if shrunk is not None:
                shrunk[1].update(index=index, size=input_size(shrunk[0], diff.method))
                if not any(r.get("exponent") is not None for _, r in found):
                    # Too slow to grow: how its time grows is measured on its prefixes instead.
                    prefixes = prefix_points(
                        diff.f_original, diff.original, _as_captured, seed, diff.method, until=deadline
                    )
                    shrunk[1].update(scaling=prefixes, exponent=scaling_exponent(prefixes, shortest_s=2e-4))
                found.append(shrunk)
            continue
        if points and points[-1][1] > high and len(points) > 1:
            points.pop()  # overshot the band: the previous size is the stress input
        if points and points[-1][0] > 1:
            chosen_factor, seconds = points[-1]
            grown = scale_call(seed, chosen_factor, seed=index, skip_first=diff.method)
            recipe: dict[str, Any] = {"index": index, "factor": chosen_factor, "seconds": seconds}
            scaling = scaling_points(
                diff.f_original, diff.original, _as_captured, seed, recipe, diff.method, chosen_factor
            )
            recipe.update(
                exponent=scaling_exponent(scaling, shortest_s=2e-4),
                scaling=scaling,
                size=input_size(grown, diff.method),
            )
            found.append((grown, recipe))
            if beyond is not None and not beyond:
                _probe_beyond(diff, seed, index, chosen_factor * 4, high * 4, beyond)
    return found


def _probe_beyond(
    diff: Differential, seed: CapturedCall, index: int, factor: int, limit: float, beyond: list[CapturedCall]
) -> None:
    """Once per target: four times the stress size; kept when the original cannot finish it."""
    bigger = scale_call(seed, factor, seed=index, skip_first=diff.method)
    try:
        with time_limit(limit):
            run_call(diff.f_original, bigger.args, bigger.kwargs)
    except CallTimeout:
        beyond.append(bigger)
    except MemoryError:
        pass


def input_size(call: CapturedCall, method: bool) -> int:
    """The largest argument's size: a container's length, a string's length, an int's value."""
    values = list(call.args[1:] if method else call.args) + list(call.kwargs.values())
    sizes = [0]
    for value in values:
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            sizes.append(abs(value))
        elif hasattr(value, "__len__"):
            try:
                sizes.append(len(value))
            except TypeError:
                pass
    return max(sizes)


def has_scalable_arguments(call: CapturedCall, method: bool) -> bool:
    """Whether growing the input can change anything (a method's receiver is never scaled)."""
    values = list(call.args[1:] if method else call.args) + list(call.kwargs.values())
    return any(isinstance(v, (str, bytes, list, tuple, set, frozenset, dict, int)) for v in values)


_BENCH_CEILING_S = 0.15
_BEYOND_KEPT = 3
_SCALING_FLOOR = 0.85  # the host does not benchmark candidates whose first timing is below this
_BEYOND_LIMIT_S = 1.0  # per candidate and input: no original to compare with, only consensus  # real inputs slower than this are cut down for benchmark samples


def _shrink_for_benchmark(
    diff: Differential, seed: CapturedCall, seconds: float
) -> tuple[CapturedCall, dict[str, Any]] | None:
    """A prefix of a large real input that the original needs 10-150 ms for: cheaper samples."""
    for divisor in (2, 4, 8, 16):
        smaller = shrink_call(seed, divisor, skip_first=diff.method)
        try:
            started = time.perf_counter()
            with time_limit(seconds * 2):
                run_call(diff.f_original, smaller.args, smaller.kwargs)
            elapsed = time.perf_counter() - started
        except CallTimeout:
            return None
        if elapsed < 0.01:
            return None
        if elapsed <= _BENCH_CEILING_S:
            return smaller, {"index": 0, "factor": 1 / divisor, "seconds": elapsed, "exponent": None}
    return None


def scaling_exponent(points: Sequence[tuple[float, float]], shortest_s: float = 0.002) -> float | None:
    """How time grows with input size (t ~ n^k): the least-squares slope of log t over log n,
    on the points long enough to time."""
    usable = [(math.log(f), math.log(t)) for f, t in points if t > shortest_s]
    if len(usable) < 2:
        return None
    mean_x = sum(x for x, _ in usable) / len(usable)
    mean_y = sum(y for _, y in usable) / len(usable)
    spread = sum((x - mean_x) ** 2 for x, _ in usable)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in usable) / spread
    return round(slope, 2)


def _warm_original(job: dict[str, Any], runs: OriginalRuns) -> dict[str, Any]:
    """Run the original alone on every input source; collect what the candidates will share."""
    from .generated import hypothesis_differential, seed_calls  # imports hypothesis only when needed

    warm = Differential(job, runs, None)
    captured = load_captured(job.get("captures", []))
    for index, call in enumerate(captured):
        warm.compare(call, "captured", key=f"captured-{index}")
    for expression, _expected in job.get("examples", []):
        warm.compare_expression(expression)
    note = hypothesis_differential(warm, captured, job)
    problems = capture_problems(job.get("captures", [])) if not captured else []
    if problems and note:
        note = f"{note}; the workload's calls could not be captured: {problems[0]}"
    seeds = captured or seed_calls(warm, job)
    stress = job.get("stress", {})
    stress_calls: list[CapturedCall] = []
    recipes: list[dict[str, Any]] = []
    beyond: list[CapturedCall] = []
    if stress.get("enabled", True) and seeds:
        limit = float(stress.get("high_s", 0.5)) * 4
        for index, (call, recipe) in enumerate(escalate(warm, seeds, stress, beyond)):
            if warm.compare(call, "stress", original_limit=limit, key=f"stress-{index}"):
                stress_calls.append(call)
                recipes.append(recipe)
            elif len(beyond) < _BEYOND_KEPT:
                beyond.append(call)
    return {
        "warm": warm,
        "captured": captured,
        "note": note,
        "seeds": seeds,
        "stress_calls": stress_calls,
        "recipes": recipes,
        "beyond": beyond,
    }


def _differential_pass(
    diff: Differential, job: dict[str, Any], shared: dict[str, Any]
) -> dict[str, Any] | None:
    """The candidate on every input the original was run on; its rejection, or None."""
    from .generated import hypothesis_differential

    stress = job.get("stress", {})
    try:
        for index, call in enumerate(shared["captured"]):
            diff.compare(call, "captured", key=f"captured-{index}")
        for expression, _expected in job.get("examples", []):
            diff.compare_expression(expression)
        hypothesis_differential(diff, shared["captured"], job)
        limit = float(stress.get("high_s", 0.5)) * 4
        for index, call in enumerate(shared["stress_calls"]):
            diff.compare(call, "stress", original_limit=limit, key=f"stress-{index}")
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
    return None


def _check_candidate(
    job: dict[str, Any], runs: OriginalRuns, source: str, shared: dict[str, Any]
) -> dict[str, Any]:
    # The original's outcomes are cached, so a candidate usually needs a fraction of the warm pass.
    diff = Differential(job, runs, source, budget_s=float(job.get("candidate_budget_s", 8.0)))
    rejected = _differential_pass(diff, job, shared)
    if rejected is not None:
        return rejected
    return {
        "verdict": "equivalent",
        "checked": dict(diff.checked),
        "stress": shared["recipes"],
        "note": shared["note"],
        "slowest": {
            "source": diff.slowest_source,
            "original_s": diff.slowest_original_s,
            "candidate_s": diff.slowest_candidate_s,
        },
        "beyond_budget": beyond_budget_outputs(diff, shared["beyond"]),
        "prescreen_speedup": (hint := prescreen(diff, shared["bench_calls"])),
        "original_bench_s": diff.original_bench_s,
        # Scaling costs up to 3 s: only for candidates that may be benchmarked (and win).
        "candidate_scaling": (scaling := candidate_scaling(diff, shared) if _may_win(hint) else []),
        "candidate_exponent": scaling_exponent(scaling, shortest_s=2e-4),
    }


def _self_check(
    job: dict[str, Any], runs: OriginalRuns, source: str, shared: dict[str, Any]
) -> dict[str, Any]:
    """The original's own text as a candidate of itself (no fingerprint, no timing): anything but
    equivalent means this target's oracle (inputs, comparison, state) cannot be trusted."""
    diff = Differential(job, runs, source, budget_s=float(job.get("candidate_budget_s", 8.0)))
    return _differential_pass(diff, job, shared) or {"verdict": "equivalent", "checked": dict(diff.checked)}


def self_check_failure(result: dict[str, Any]) -> str | None:
    """None when the original was equivalent to itself, else why not."""
    verdict = result.get("verdict")
    if verdict == "equivalent":
        return None
    detail = str(result.get("detail") or "")
    where = (
        f" on {result['source']} input {str(result.get('counterexample', ''))[:200]}"
        if result.get("source")
        else ""
    )
    return f"{verdict}: {detail}{where}"[:1000]


def _may_win(prescreen_speedup: float | None) -> bool:
    return prescreen_speedup is None or prescreen_speedup >= _SCALING_FLOOR


def _prescreen_only(
    job: dict[str, Any], runs: OriginalRuns, source: str, shared: dict[str, Any]
) -> dict[str, Any]:
    """A candidate the host already knows equivalent on this input set: only its first timing."""
    diff = Differential(job, runs, source, budget_s=float(job.get("candidate_budget_s", 8.0)))
    return {
        "verdict": "equivalent",
        "checked": {},
        "from_cache": True,
        "stress": shared["recipes"],
        "note": shared["note"],
        "prescreen_speedup": prescreen(diff, shared["bench_calls"]),
        "original_bench_s": diff.original_bench_s,
    }


def _fingerprint_candidate(
    job: dict[str, Any], runs: OriginalRuns, source: str, shared: dict[str, Any]
) -> dict[str, Any]:
    diff = Differential(job, runs, source)
    if diff.f_candidate is None or diff.candidate is None:
        return {"fingerprint": None}
    calls = [diff.candidate_call(call) for call in shared["probes"]]
    return {"fingerprint": fingerprint(diff.f_candidate, diff.candidate, calls) if calls else None}


def beyond_budget_outputs(diff: Differential, calls: list[CapturedCall]) -> list[str | None]:
    """The candidate's behaviour on inputs the original could not finish, as a canonical hash
    each (None: it could not finish either). The host compares these across candidates."""
    hashes: list[str | None] = []
    for call in calls:
        if diff.f_candidate is None or diff.candidate is None or (hashes and hashes[-1] is None):
            hashes.append(None)  # one input it could not finish: the others are as large
            continue
        clear_caches(diff.candidate)
        try:
            with time_limit(_BEYOND_LIMIT_S):
                outcome = run_call(diff.f_candidate, *diff.candidate_call(call))
        except (CallTimeout, MemoryError):
            hashes.append(None)
            continue
        observed = (outcome.result, outcome.raised, outcome.stdout, outcome.args_after)
        hashes.append(hashlib.sha256(canonical(observed).encode("utf-8", "replace")).hexdigest()[:24])
    return hashes


def candidate_scaling(diff: Differential, shared: dict[str, Any]) -> Sequence[tuple[float, float]]:
    """How the candidate's time grows on the seed the original's exponent came from: sizes double
    from a quarter of the original's stress size until a call takes 10 ms (or 3 s are spent)."""
    recipes = [r for r in shared["recipes"] if r.get("exponent") is not None]
    if not recipes or diff.f_candidate is None or diff.candidate is None:
        return []
    recipe = recipes[0]
    seed: CapturedCall = shared["seeds"][int(recipe["index"])]
    if float(recipe["factor"]) < 1:  # a prefix of a real input: the same prefixes as the original
        return prefix_points(diff.f_candidate, diff.candidate, diff.candidate_call, seed, diff.method)
    chosen = int(recipe["factor"])
    return scaling_points(
        diff.f_candidate, diff.candidate, diff.candidate_call, seed, recipe, diff.method, chosen * 64
    )


_PREFIX_DIVISORS = (8, 4, 2, 1)


def prefix_points(
    function: Callable[..., Any],
    module: types.ModuleType,
    call_of: CallOf,
    seed: CapturedCall,
    method: bool,
    until: float | None = None,
) -> list[tuple[float, float]]:
    """(fraction of the input, CPU seconds per call) on 1/8, 1/4 and 1/2 of an input too slow to
    grow (`shrink_call` prefixes) and on the whole of it, within 3 s (and before `until`)."""
    deadline = min(time.perf_counter() + 3.0, until or float("inf"))
    points: list[tuple[float, float]] = []
    for divisor in _PREFIX_DIVISORS:
        if time.perf_counter() >= deadline:
            break
        call = shrink_call(seed, divisor, skip_first=method) if divisor > 1 else seed
        elapsed = _cpu_per_call(function, module, call_of, call, deadline)
        if elapsed is None:
            break
        points.append((1 / divisor, elapsed))
    return points


def scaling_points(
    function: Callable[..., Any],
    module: types.ModuleType,
    call_of: CallOf,
    seed: CapturedCall,
    recipe: dict[str, Any],
    method: bool,
    max_factor: int,
) -> list[tuple[int, float]]:
    """(factor, CPU seconds per call) from a quarter of the recipe's factor, doubling until a call
    takes 10 ms at or past the recipe's factor, `max_factor` or 3 s."""
    chosen, index = int(recipe["factor"]), int(recipe["index"])
    factor = max(1, chosen // 4)
    deadline = time.perf_counter() + 3.0
    points: list[tuple[int, float]] = []
    while factor <= max_factor and time.perf_counter() < deadline:
        grown = scale_call(seed, factor, seed=index, skip_first=method)
        elapsed = _cpu_per_call(function, module, call_of, grown, deadline)
        if elapsed is None:
            break
        points.append((factor, elapsed))
        if factor >= chosen and elapsed >= 0.01:
            break
        factor *= 2
    return points


def _cpu_per_call(
    function: Callable[..., Any],
    module: types.ModuleType,
    call_of: CallOf,
    call: CapturedCall,
    deadline: float,
) -> float | None:
    """Mean CPU seconds per call, over as many calls as 30 ms of CPU take (at most 200, and at
    most 0.25 s of wall time for this size: copying a large input for each call must not use up
    the deadline that later sizes need); None on failure. CPU time, not wall time: a busy machine
    deschedules the process for whole slices. The thread's clock, not the process's: under the
    sandbox's CPU rlimit the process clock ticks in 4 ms, which made short calls read 0 or 4 ms.
    Short calls are repeated all the same."""
    total, count = 0.0, 0
    size_deadline = min(deadline, time.perf_counter() + 0.25)
    while total < 0.03 and count < 200 and time.perf_counter() < size_deadline:
        args, kwargs = fresh_copy(call_of(call))
        clear_caches(module)
        gc.disable()
        try:
            started = time.thread_time()
            with time_limit(max(deadline - time.perf_counter(), 0.05)):
                function(*args, **kwargs)
            total += time.thread_time() - started
            count += 1
        except (CallTimeout, MemoryError):
            break
        except Exception:
            return None
        finally:
            gc.enable()
    return total / count if count and total > 0 else None


Worker = Callable[[dict[str, Any], OriginalRuns, str, dict[str, Any]], dict[str, Any]]


def _child(job: dict[str, Any], runs: OriginalRuns, index: int, shared: dict[str, Any], work: Worker) -> None:
    path = Path(f"candidate-result-{index}.json")
    try:
        result = work(job, runs, read_text(job["candidate_files"][index]), shared)
    except BaseException as error:  # the candidate failed to load or broke the harness
        result = {"verdict": "crashed", "detail": f"{type(error).__name__}: {error}"[:2000]}
    path.write_text(json.dumps(result, default=repr))


def _run_children(
    job: dict[str, Any],
    runs: OriginalRuns,
    shared: dict[str, Any],
    indices: list[int],
    work: Worker,
    wall: float,
) -> dict[int, dict[str, Any]]:
    """`work` for each candidate index in a forked child, `parallel` at a time, `wall` s each."""
    parallel = max(1, int(job.get("parallel", 2)))
    results: dict[int, dict[str, Any]] = {}
    running: dict[int, tuple[int, float]] = {}  # pid -> (index, started)
    pending = list(indices)
    while pending or running:
        while pending and len(running) < parallel:
            index = pending.pop(0)
            Path(f"candidate-result-{index}.json").unlink(missing_ok=True)
            pid = os.fork()
            if pid == 0:
                try:
                    _child(job, runs, index, shared, work)
                finally:
                    os._exit(0)
            running[pid] = (index, time.monotonic())
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            for child, (_, started) in list(running.items()):
                if time.monotonic() - started > wall:
                    os.kill(child, signal.SIGKILL)
            time.sleep(0.005)
            continue
        index, started = running.pop(pid)
        results[index] = _collect(index, status, time.monotonic() - started, wall)
    return results


def _check_classes(job: dict[str, Any], runs: OriginalRuns, shared: dict[str, Any]) -> list[dict[str, Any]]:
    """Fingerprint every candidate, then fully check one per class of equal fingerprints."""
    count = len(job["candidate_files"])
    verified = {int(i) for i in job.get("verified", [])}
    hashed = list(range(count)) if job.get("functional_hashing", True) else []
    prints = _run_children(job, runs, shared, hashed, _fingerprint_candidate, 30.0)
    results: dict[int, dict[str, Any]] = {}
    representative: dict[str, int] = {}
    to_check: list[int] = []
    for index in range(count):
        entry = prints.get(index, {})
        if "verdict" in entry:  # it could not even load or run the probes
            results[index] = entry
            continue
        print_ = entry.get("fingerprint")
        if print_ is not None and print_ in representative:
            first = representative[print_]
            results[index] = {"verdict": "duplicate", "same_as": first, "fingerprint": print_}
            continue
        if print_ is not None:
            representative[print_] = index
        to_check.append(index)
    wall = float(job.get("candidate_budget_s", 8.0)) * 3 + 30
    full = [i for i in to_check if i not in verified]
    results.update(_run_children(job, runs, shared, full, _check_candidate, wall))
    quick = [i for i in to_check if i in verified]
    results.update(_run_children(job, runs, shared, quick, _prescreen_only, wall))
    for index in to_check:
        results.get(index, {})["fingerprint"] = prints.get(index, {}).get("fingerprint")
    return [results.get(i) or {"verdict": "crashed", "detail": "no result"} for i in range(count)]


def _collect(index: int, status: int, elapsed: float, wall: float) -> dict[str, Any]:
    path = Path(f"candidate-result-{index}.json")
    if path.exists():
        try:
            result: dict[str, Any] = json.loads(path.read_text())
            return result
        except ValueError:
            pass
    if elapsed > wall:
        return {"verdict": "timed_out", "detail": f"checking the candidate took over {wall:.0f}s"}
    if os.WIFSIGNALED(status):
        return {
            "verdict": "crashed",
            "detail": f"the candidate killed its process (signal {os.WTERMSIG(status)})",
        }
    return {
        "verdict": "crashed",
        "detail": "the candidate ended its process before a verdict (exit or os._exit)",
    }


def run_check(job: dict[str, Any]) -> dict[str, Any]:
    runs = OriginalRuns.load(job)
    shared = _warm_original(job, runs)
    warm: Differential = shared["warm"]
    total = sum(warm.checked.values())
    if runs.nondeterministic and runs.nondeterministic >= total:
        detail = f"the original gave different results on {runs.nondeterministic} repeated inputs"
        return _same_for_all(job, {"verdict": "nondeterministic", "checked": {}, "detail": detail})
    if total == 0:
        detail = shared["note"] or "no inputs could be produced"
        return _same_for_all(job, {"verdict": "no_inputs", "checked": {}, "detail": detail})
    shared["bench_calls"] = benchmark_calls(shared)
    shared["probes"] = probe_calls(shared["captured"], job.get("_generated_seeds", []))
    write_bench_inputs(job, shared["bench_calls"])
    self_check: str | None = None
    if job.get("self_check"):
        own = dict(job, candidate_files=[job["original_file"]])
        wall = float(job.get("candidate_budget_s", 8.0)) * 3 + 30
        self_check = (
            self_check_failure(_run_children(own, runs, shared, [0], _self_check, wall)[0]) or "equivalent"
        )
        if self_check != "equivalent":
            detail = (
                f"the original is not equivalent to itself ({self_check}): its candidates cannot be judged"
            )
            failed = {"verdict": "self_check_failed", "checked": {}, "detail": detail}
            result = _same_for_all(job, failed)
            result["shared"]["self_check"] = self_check
            return result
    results = _check_classes(job, runs, shared)
    for result in results:
        result["mutates_arguments"] = runs.mutates
    return {
        "results": results,
        "shared": {
            "status": "ok",
            "stress": shared["recipes"],
            "note": shared["note"],
            "mutates_arguments": runs.mutates,
            "checked_by_original": dict(warm.checked),
            "self_check": self_check,
        },
    }


def benchmark_calls(shared: dict[str, Any]) -> list[CapturedCall]:
    """What samples time: the stress input nearest the band's floor (50 ms), else the captured
    or generated inputs. One stress input keeps a sample short, so more pairs fit in the time."""
    recipes: list[dict[str, Any]] = shared["recipes"]
    if recipes:
        fastest = min(range(len(recipes)), key=lambda i: float(recipes[i]["seconds"]))
        return [shared["stress_calls"][fastest]]
    calls: list[CapturedCall] = shared["captured"][:20] or shared["seeds"]
    return calls


def _same_for_all(job: dict[str, Any], verdict: dict[str, Any]) -> dict[str, Any]:
    shared = {"status": verdict["verdict"], "detail": verdict["detail"]}
    return {"results": [dict(verdict) for _ in job["candidate_files"]], "shared": shared}


_HINT_SIDE_S = 0.02  # CPU seconds each side is timed for, at least (one pass at least)
_HINT_MAX_PASSES = 200


def prescreen(diff: Differential, calls: list[CapturedCall]) -> float | None:
    """An in-process timing of each side on the benchmark inputs: a cheap hint, used only to skip
    the paired benchmark for clearly slower candidates, never to accept one.

    Both sides are timed alike: thread CPU time, passes alternating until each side has 20 ms;
    the candidate with its classes installed for the whole pass and called as it is (installing
    them around every call, twins.py, cost a small method more than its own work)."""
    if not calls or diff.remaining() <= 0 or diff.f_candidate is None or diff.candidate is None:
        return None
    candidate_module = diff.candidate
    classes = candidate_classes(candidate_module)
    plain_candidate = (
        getattr(diff.f_candidate, "__wrapped__", diff.f_candidate) if classes else diff.f_candidate
    )

    def one_pass(function: Callable[..., Any], module: types.ModuleType, call_of: CallOf) -> float:
        total = 0.0
        caches = ModuleCaches(module)  # found once a pass: a scan a call cost more than small functions
        for call in calls:
            args, kwargs = fresh_copy(call_of(call))
            caches.clear()
            started = time.thread_time()
            try:
                function(*args, **kwargs)
            except Exception:
                pass
            total += time.thread_time() - started
        return total

    def candidate_pass() -> float:
        with classes.active() if classes is not None else contextlib.nullcontext():
            return one_pass(plain_candidate, candidate_module, diff.candidate_call)

    original = candidate = 0.0
    passes = 0
    try:
        with time_limit(max(diff.remaining(), 1.0)):
            while passes < _HINT_MAX_PASSES and (passes == 0 or min(original, candidate) < _HINT_SIDE_S):
                if passes % 2 == 0:
                    original += one_pass(diff.f_original, diff.original, _as_captured)
                    candidate += candidate_pass()
                else:
                    candidate += candidate_pass()
                    original += one_pass(diff.f_original, diff.original, _as_captured)
                passes += 1
                if diff.remaining() <= 0:
                    break
    except CallTimeout:
        return None
    diff.original_bench_s = original / passes
    return original / candidate if candidate > 0 else None


def write_bench_inputs(job: dict[str, Any], calls: list[CapturedCall]) -> None:
    """The inputs benchmarks run on, kept as opaque bytes by the host (never unpickled there)."""
    path = job.get("bench_inputs_out")
    if path:  # receivers may hold modules, lambdas, unwrapped functions: pickled as captured
        Path(path).write_bytes(dumps([(call.args, call.kwargs) for call in calls], pickle.DEFAULT_PROTOCOL))
