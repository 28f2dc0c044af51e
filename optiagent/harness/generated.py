"""Hypothesis-generated inputs: a differential property with shrinking, per-parameter strategies."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, Phase, example, find, given, settings
from hypothesis import strategies as st

from .inputs import CapturedCall, parameter_names, type_hints
from .mining import explicit_calls, mine, seed_values
from .shapes import strategy_for_annotation, strategy_for_shape

if TYPE_CHECKING:
    from .differential import Differential

_SEEDS_KEPT = 3


def _parameter_strategies(
    diff: Differential, captured: list[CapturedCall], job: dict[str, Any], small: bool = False
) -> tuple[list[tuple[inspect.Parameter, Any]], str | None]:
    hints = type_hints(diff.f_original)
    shapes: dict[str, Any] = job.get("params", {}) or {}
    chosen: list[tuple[inspect.Parameter, Any]] = []
    any_generative = False
    for position, parameter in enumerate(parameter_names(diff.f_original)):
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        observed = [c.args[position] for c in captured if position < len(c.args)]
        strategy = None
        generative = True
        if diff.method and position == 0:
            if not observed:
                return [], "a method needs captured instances (run with --workload)"
            strategy = st.sampled_from(observed[:20])
            generative = False
        elif parameter.name in hints:
            strategy = strategy_for_annotation(
                hints[parameter.name], small=small, mined=mine(diff.f_original) if small else None
            )
        if strategy is None and parameter.name in shapes and shapes[parameter.name]:
            strategy = strategy_for_shape(shapes[parameter.name])
        if strategy is None and observed:
            strategy = st.sampled_from(observed[:50])
            generative = False
        if strategy is None:
            if parameter.default is not inspect.Parameter.empty:
                continue
            return (
                [],
                f"cannot infer inputs for parameter {parameter.name!r}: no type hint and no captured calls",
            )
        if parameter.default is not inspect.Parameter.empty and parameter.kind in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        ):
            strategy = st.one_of(st.just(USE_DEFAULT), strategy)
        chosen.append((parameter, strategy))
        any_generative = any_generative or generative
    if not any_generative:
        return [], None  # only replays of captured values: the captured calls already covered them
    return chosen, None


def _explicit_examples(
    diff: Differential, parameters: list[inspect.Parameter], strategies: list[Any]
) -> list[tuple[Any, ...]]:
    """Mined constants tried first, before the random examples (see mining.py)."""
    hints = type_hints(diff.f_original)
    mined = mine(diff.f_original)
    seeds = [seed_values(hints.get(p.name), mined) for p in parameters]
    if not any(seeds):
        return []
    defaults: list[Any] = []
    for seeded, strategy in zip(seeds, strategies, strict=True):
        if seeded:
            defaults.append(None)
            continue
        try:  # the simplest value of the strategy: [] for a list, 0 for an int
            defaults.append(find(strategy, lambda _: True, settings=settings(database=None, max_examples=50)))
        except Exception:
            return []
    return explicit_calls(seeds, defaults)


class _UseDefault:
    """Drawn for a parameter with a default: leave it out, so the default itself is exercised."""

    def __repr__(self) -> str:
        return "<default>"


USE_DEFAULT = _UseDefault()


def _to_call(parameters: list[inspect.Parameter], values: tuple[Any, ...]) -> CapturedCall:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    skipped = False  # after a left-out positional parameter, the rest go by keyword
    for parameter, value in zip(parameters, values, strict=True):
        if value is USE_DEFAULT:
            skipped = True
        elif parameter.kind is inspect.Parameter.KEYWORD_ONLY or skipped:
            kwargs[parameter.name] = value
        else:
            args.append(value)
    return CapturedCall(tuple(args), kwargs)


def hypothesis_differential(
    diff: Differential, captured: list[CapturedCall], job: dict[str, Any]
) -> str | None:
    """Run the property; a mismatch propagates as the shrunk (minimal) counterexample."""
    from .differential import CandidateTooSlow, Mismatch

    config = job.get("hypothesis", {})
    max_examples = int(config.get("max_examples", 100))
    if diff.method and diff.runs.slowest_s > 0.05:  # a heavy captured receiver in every example
        max_examples = min(max_examples, 25)
    if max_examples <= 0:
        return None
    chosen, note = _parameter_strategies(diff, captured, job)
    if note is not None or not chosen:
        return note
    parameters = [p for p, _ in chosen]
    # Two thirds of the calls draw every argument from a tiny universe, so arguments collide (a key
    # is in the dict, a substring in the text); the rest range wide.
    small, _ = _parameter_strategies(diff, captured, job, small=True)
    calls = st.tuples(*(s for _, s in chosen))
    explicit: list[tuple[Any, ...]] = []
    if len(small) == len(chosen):
        small_calls = st.tuples(*(s for _, s in small))
        calls = st.one_of(small_calls, small_calls, calls)  # two thirds small
        explicit = _explicit_examples(diff, [p for p, _ in chosen], [s for _, s in small])
    seeds: list[tuple[int, CapturedCall]] = []
    budget_floor = diff.remaining() * 0.4  # leave time for stress inputs
    # Generated inputs are for correctness: ones the original needs long for are dropped quickly.
    generated_limit = float(config.get("call_timeout_s", 0.5))
    failures: list[Mismatch] = []
    too_slow: list[CandidateTooSlow] = []

    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        print_blob=False,
    )
    @given(calls)
    def differential(values: tuple[Any, ...]) -> None:
        if diff.remaining() < budget_floor or too_slow:
            return  # out of time (or already judged too slow): the remaining examples pass trivially
        call = _to_call(parameters, values)
        try:
            if diff.compare(call, "hypothesis", original_limit=generated_limit):
                seeds.append((len(repr(values)), call))
                seeds.sort(key=lambda item: -item[0])
                del seeds[_SEEDS_KEPT:]
        except Mismatch as mismatch:
            failures.append(mismatch)
            raise AssertionError(mismatch.detail) from None
        except CandidateTooSlow as slow:
            too_slow.append(slow)  # not a behaviour difference to shrink: stop and report it

    for values in reversed(explicit):  # `example` decorators run innermost first
        differential = example(values)(differential)
    try:
        differential()
    except AssertionError:
        if failures:
            raise failures[-1] from None  # the last failure is the shrunk one
        raise
    if too_slow:
        raise too_slow[0]
    job["_generated_seeds"] = [call for _, call in seeds]
    return None


def seed_calls(diff: Differential, job: dict[str, Any]) -> list[CapturedCall]:
    seeds: list[CapturedCall] = job.get("_generated_seeds", [])
    return seeds
