"""The differential core: the original runs twice per input (determinism), each candidate once.

The original's outcomes are cached by input, so the original does its work once per target: a
warm pass runs it alone before the candidates are checked (each in a forked child).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import random
import time
import types
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .caches import clear_caches
from .capture.pickling import dumps
from .compare import deep_equal
from .inputs import CapturedCall
from .loading import import_original, load_candidate, owner_class, read_text, resolve, takes_context
from .nested import edit_problem, is_nested
from .outcome import Outcome, outcomes_agree, run_call, safe_repr
from .receivers import ReceiverClasses
from .timer import CallTimeout, time_limit


class Mismatch(Exception):
    def __init__(self, source: str, counterexample: str, detail: str) -> None:
        super().__init__(detail)
        self.source, self.counterexample, self.detail = source, counterexample, detail


class CandidateTooSlow(Exception):
    pass


class NestedEditError(Exception):
    """A candidate of a nested function changed more than its body (nested.edit_problem)."""


def render_call(call: CapturedCall, limit: int = 600) -> str:
    parts = [safe_repr(a) for a in call.args] + [f"{k}={safe_repr(v)}" for k, v in call.kwargs.items()]
    text = ", ".join(parts)
    return f"({text[:limit]}{'...' if len(text) > limit else ''})"


_MUTABLE = (list, dict, set, bytearray)
# Module-level counters and random generators advance on every call: restored by rebinding a copy
# of their import-time state (nothing aliases them in practice), so repeated runs start alike.
_REBOUND = (itertools.count, random.Random)
_GLOBAL_SIZE_LIMIT = 10_000


class _Missing:
    """A global that is not bound (deleted by a call, or never there)."""

    def __repr__(self) -> str:
        return "<unbound>"


MISSING = _Missing()


class ModuleState:
    """One module instance's globals: reset to how its import left them before every call, and
    what a call changed (names rebound, added or deleted, containers mutated) read after it.

    The original and a candidate are two module instances, so their globals are never the same
    objects; what each call *changed* is what is compared (state is behaviour)."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.bindings = {name: value for name, value in vars(module).items() if not name.startswith("__")}
        self.initial = {
            name: copy.deepcopy(value)
            for name, value in self.bindings.items()
            if type(value) in _MUTABLE and len(value) <= _GLOBAL_SIZE_LIMIT
        }
        self.rebound = {name: _copy_quietly(v) for name, v in self.bindings.items() if type(v) in _REBOUND}

    def reset(self, untouched: frozenset[str] = frozenset()) -> None:
        """`untouched`: containers just found equal to their import-time state (`changes`, with
        nothing run since), not copied back again (a deep copy of pyparsing's `_builtin_exprs`,
        69 elements with their grammars, cost 50 ms a reset)."""
        namespace = vars(self.module)
        for name in [n for n in namespace if not n.startswith("__") and n not in self.bindings]:
            del namespace[name]  # added by a call
        namespace.update(self.bindings)  # rebound by a call
        for name, saved in self.initial.items():  # mutated by a call: restored in place (aliases stay)
            if name not in untouched:
                _restore(self.bindings[name], copy.deepcopy(saved))
        for name, saved in self.rebound.items():
            namespace[name] = _copy_quietly(saved)

    def changes_then_reset(self) -> dict[str, Any]:
        """`changes`, then `reset`, restoring only the containers the call changed."""
        untouched: set[str] = set()
        changed = self.changes(untouched)
        self.reset(frozenset(untouched))
        return changed

    def changes(self, untouched: set[str] | None = None) -> dict[str, Any]:
        """Name -> a copy of its value now, for every global the last call changed (`untouched`
        collects the containers found equal to their import-time state)."""
        namespace = vars(self.module)
        changed: dict[str, Any] = {}
        names = set(self.bindings) | {n for n in namespace if not n.startswith("__")}
        for name in names:
            now = namespace.get(name, MISSING)
            if name in self.rebound:
                if deep_equal(self.rebound[name], now):
                    continue
            elif now is self.bindings.get(name, MISSING) and (
                name not in self.initial or deep_equal(self.initial[name], now)
            ):
                if untouched is not None and name in self.initial:
                    untouched.add(name)
                continue
            try:
                changed[name] = _copy_quietly(now)
            except Exception:  # not copyable: the value itself (compared before the next reset)
                changed[name] = now
        return changed


def _copy_quietly(value: Any) -> Any:
    with warnings.catch_warnings():  # copying itertools objects is deprecated from 3.12 (works to 3.13)
        warnings.simplefilter("ignore", DeprecationWarning)
        return copy.deepcopy(value)


def _restore(value: Any, saved: Any) -> None:
    if isinstance(value, (list, bytearray)):
        value[:] = saved
    else:
        value.clear()
        value.update(saved)


def state_difference(
    expected: dict[str, Any], actual: dict[str, Any], original_names: Iterable[str]
) -> str | None:
    """None when a candidate's call changed the globals as the original's did; names it changed
    that the original module does not have (its own new caches, helpers) are its own business."""
    relevant = set(expected) | (set(actual) & set(original_names))
    differing = sorted(
        name for name in relevant if not deep_equal(expected.get(name, MISSING), actual.get(name, MISSING))
    )
    if not differing:
        return None
    return f"module-global state differs after the call ({', '.join(differing)})"


_uncached = itertools.count()


def input_key(call: CapturedCall) -> str:
    """The key the original's outcome on this input is cached under (a candidate's check in a
    child process finds it again): the input's pickle, which is its state. A repr can be lossy (a
    token shown by a prefix of its text), fail (a receiver whose `__init__` has not run) or change
    the input (a lazy cache it fills), and an id is reused once the call is gone: an input that
    cannot be pickled gets a key of its own, never shared."""
    try:
        return hashlib.sha1(dumps((call.args, sorted(call.kwargs.items())), 4)).hexdigest()
    except Exception:
        return f"uncached-{next(_uncached)}"


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
        runs = cls(module, resolve(module, qualname), takes_context(module, qualname))
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
                self.globals_after[key] = state.changes_then_reset()
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
        qualname = job["qualname"]
        if candidate_source and is_nested(qualname):
            problem = edit_problem(read_text(job["original_file"]), candidate_source, qualname)
            if problem is not None:
                raise NestedEditError(problem)
        self.candidate = load_candidate(self.original, candidate_source) if candidate_source else None
        self.candidate_state = ModuleState(self.candidate) if self.candidate is not None else None
        self.f_candidate: Callable[..., Any] | None = (
            resolve(self.candidate, qualname) if self.candidate is not None else None
        )
        original_owner = owner_class(self.original, qualname) if self.method else None
        self.receivers = (
            ReceiverClasses(original_owner, self.original, self.candidate)
            if original_owner is not None and self.candidate is not None
            else None
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

    def candidate_call(self, call: CapturedCall) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The call's arguments with a method's receiver on the candidate's view of its own class
        (subclass overrides kept, what the receiver shares with the other arguments too:
        receivers.py)."""
        if self.receivers is None:
            return call.args, call.kwargs
        return self.receivers.adopt_call(call.args, call.kwargs)

    def compare(
        self,
        call: CapturedCall,
        source: str,
        original_limit: float | None = None,
        key: str | None = None,
        same_error_agrees: bool = False,
    ) -> bool:
        """True when checked; False when the input was dropped (original too slow or flaky).
        `same_error_agrees`: raising the original's exception type is agreement, whatever else."""
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
                    mine = run_call(self.f_candidate, *self.candidate_call(call))
                candidate_elapsed: float | None = time.perf_counter() - started
            except CallTimeout:
                raise CandidateTooSlow(
                    f"candidate exceeded {allowed:.1f}s on {source} input {render_call(call)}"
                ) from None
            difference = outcomes_agree(first, mine)
            if same_error_agrees and first.raised is not None and first.raised == mine.raised:
                self.checked[source] += 1  # outside the workload's kinds, the same exception type agrees
                return True
            expected_state = self.runs.globals_after.get(key)
            state, original_state = self.candidate_state, self.runs.state
            if difference is None and expected_state is not None and state and original_state:
                difference = state_difference(expected_state, state.changes(), original_state.bindings)
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
