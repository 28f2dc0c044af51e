"""The differential core: the original runs twice per input (determinism), each candidate once.

The original's outcomes are cached by input, so the original does its work once per target: a
warm pass runs it alone before the candidates are checked (each in a forked child).
"""

from __future__ import annotations

import copy
import hashlib
import time
import types
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .caches import clear_caches
from .compare import deep_equal
from .inputs import CapturedCall
from .loading import import_original, is_method, load_candidate, owner_class, resolve
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


_MUTABLE = (list, dict, set, bytearray)
_GLOBAL_SIZE_LIMIT = 10_000


class ModuleState:
    """The module's mutable globals: reset before every call, compared after it (state is behaviour)."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.initial = {
            name: copy.deepcopy(value)
            for name, value in vars(module).items()
            if not name.startswith("__") and type(value) in _MUTABLE and len(value) <= _GLOBAL_SIZE_LIMIT
        }

    def reset(self) -> None:
        namespace = vars(self.module)
        for name, value in self.initial.items():
            namespace[name] = copy.deepcopy(value)

    def snapshot(self, names: Iterable[str]) -> dict[str, Any]:
        namespace = vars(self.module)
        return {name: copy.deepcopy(namespace.get(name)) for name in names}


def input_key(call: CapturedCall) -> str:
    try:
        text = repr((call.args, sorted(call.kwargs.items())))
    except Exception:
        text = str(id(call))
    return hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()


@dataclass
class OriginalRuns:
    """The original module and function, and its outcome per input (None: input dropped)."""

    module: types.ModuleType
    function: Callable[..., Any]
    method: bool
    outcomes: dict[str, tuple[Outcome, float] | None] = field(default_factory=dict)
    expressions: dict[str, Outcome | None] = field(default_factory=dict)
    nondeterministic: int = 0
    mutates: bool = False  # the original changed an argument in place on some input
    slowest_s: float = 0.0
    globals_after: dict[str, dict[str, Any]] = field(default_factory=dict)  # input key -> state
    state: ModuleState | None = None

    @classmethod
    def load(cls, job: dict[str, Any]) -> OriginalRuns:
        module = import_original(job["module_name"], job["base_dir"], job["original_file"])
        qualname = job["qualname"]
        runs = cls(module, resolve(module, qualname), is_method(module, qualname))
        runs.state = ModuleState(module)
        return runs

    def run(self, call: CapturedCall, key: str, limit: float) -> tuple[Outcome, float] | None:
        if key in self.outcomes:
            return self.outcomes[key]
        entry: tuple[Outcome, float] | None = None
        first: Outcome | None
        second: Outcome | None
        elapsed = 0.0
        state = self.state
        try:
            clear_caches(self.module)
            if state:
                state.reset()
            started = time.perf_counter()
            with time_limit(limit):
                first = run_call(self.function, call.args, call.kwargs, seed=0)
            elapsed = time.perf_counter() - started
            if state:
                self.globals_after[key] = state.snapshot(state.initial)
                state.reset()
            clear_caches(self.module)
            with time_limit(limit):
                second = run_call(self.function, call.args, call.kwargs, seed=1)
        except CallTimeout:
            first = second = None
        if first is not None and second is not None and first.raised != "RecursionError":
            if outcomes_agree(first, second) is None:
                entry = (first, elapsed)
                self.slowest_s = max(self.slowest_s, elapsed)
                if not self.mutates and not deep_equal(first.args_after, (call.args, call.kwargs)):
                    self.mutates = True
            else:
                self.nondeterministic += 1
        self.outcomes[key] = entry
        return entry

    def evaluate(self, expression: str) -> Outcome | None:
        if expression not in self.expressions:
            first = evaluate_in(self.module, expression)
            second = evaluate_in(self.module, expression)
            agree = outcomes_agree(first, second) is None
            self.nondeterministic += 0 if agree else 1
            self.expressions[expression] = first if agree else None
        return self.expressions[expression]


def evaluate_in(module: types.ModuleType, expression: str) -> Outcome:
    return run_call(lambda: eval(expression, dict(vars(module))), (), {})


class Differential:
    """Compares one candidate (or none: the warm pass) with the cached original."""

    def __init__(
        self,
        job: dict[str, Any],
        original: OriginalRuns,
        candidate_source: str | None,
        budget_s: float | None = None,
    ) -> None:
        self.job = job
        self.runs = original
        self.original = original.module
        self.f_original = original.function
        self.method = original.method
        self.candidate = load_candidate(self.original, candidate_source) if candidate_source else None
        self.candidate_state = ModuleState(self.candidate) if self.candidate is not None else None
        qualname = job["qualname"]
        self.f_candidate: Callable[..., Any] | None = (
            resolve(self.candidate, qualname) if self.candidate is not None else None
        )
        self.candidate_class = (
            owner_class(self.candidate, qualname) if self.method and self.candidate is not None else None
        )
        self.call_timeout = float(job.get("call_timeout_s", 5.0))
        self.checked: Counter[str] = Counter()
        self.slowest_original_s = 0.0
        self.slowest_candidate_s: float | None = None
        self.slowest_source = ""
        self.original_bench_s: float | None = None  # one in-process pass over the benchmark inputs
        budget = budget_s if budget_s is not None else float(job.get("budget_s", 20.0))
        self.deadline = time.perf_counter() + budget

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()

    def candidate_args(self, call: CapturedCall) -> tuple[Any, ...]:
        args = call.args
        if self.method and args and self.candidate_class is not None:
            receiver = copy.deepcopy(args[0])
            try:
                receiver.__class__ = self.candidate_class
            except TypeError:
                pass
            args = (receiver, *args[1:])
        return args

    def compare(
        self, call: CapturedCall, source: str, original_limit: float | None = None, key: str | None = None
    ) -> bool:
        """True when checked; False when the input was dropped (original too slow or flaky)."""
        limit = original_limit or self.call_timeout
        key = key or input_key(call)
        entry = self.runs.run(call, key, limit)
        if entry is None:
            return False
        first, elapsed = entry
        if self.f_candidate is not None and self.candidate is not None:
            clear_caches(self.candidate)
            if self.candidate_state:
                self.candidate_state.reset()
            allowed = max(limit, elapsed * 20 + 1.0)
            try:
                started = time.perf_counter()
                with time_limit(allowed):
                    mine = run_call(self.f_candidate, self.candidate_args(call), call.kwargs)
                candidate_elapsed: float | None = time.perf_counter() - started
            except CallTimeout:
                raise CandidateTooSlow(
                    f"candidate exceeded {allowed:.1f}s on {source} input {render_call(call)}"
                ) from None
            difference = outcomes_agree(first, mine)
            expected_state = self.runs.globals_after.get(key)
            state = self.candidate_state
            if (
                difference is None
                and expected_state
                and state is not None
                and not deep_equal(expected_state, state.snapshot(expected_state))
            ):
                names = ", ".join(sorted(expected_state))
                difference = f"module-global state differs after the call ({names})"
            if difference is not None:
                raise Mismatch(source, render_call(call), difference)
        else:
            candidate_elapsed = None
        self.checked[source] += 1
        if elapsed >= self.slowest_original_s:
            self.slowest_original_s, self.slowest_candidate_s = elapsed, candidate_elapsed
            self.slowest_source = source
        return True

    def compare_expression(self, expression: str) -> None:
        first = self.runs.evaluate(expression)
        if first is None:
            return
        if self.candidate is not None:
            difference = outcomes_agree(first, evaluate_in(self.candidate, expression))
            if difference is not None:
                raise Mismatch("docstring", expression, difference)
        self.checked["docstring"] += 1
