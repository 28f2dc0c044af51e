"""Hypothesis-generated inputs: a differential property with shrinking, per-parameter strategies."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, Phase, example, find, given, seed, settings
from hypothesis import strategies as st

from .contract import UNANNOTATED, contract_strategy, internal
from .inputs import CapturedCall, parameter_names, pickled_size, type_hints
from .mining import explicit_calls, mine, seed_values
from .shapes import strategy_for_annotation, strategy_for_shape

if TYPE_CHECKING:
    from .differential import Differential

_SEEDS_KEPT = 3
# The examples' seed, fixed: `derandomize` alone derives it from the property's source text, so
# any edit of the property reshuffled every example a target is checked on (two traps of the
# corpus then went unfound). This is the seed the source had when the corpus was tuned.
EXAMPLES_SEED = int(
    "749446801275257883075720747584231483727573227457066568780113595235470637501008175550911634907"
    "0607107115237085547190"
)
# Examples run whatever the budget says: on a loaded machine the candidate's budget can be spent
# before the property starts, and a property that passes every example trivially accepts anything.
MIN_EXAMPLES = 20


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
            strategy = _one_of_captured(observed[:20])
            generative = False
        elif parameter.name in hints:
            strategy = strategy_for_annotation(
                hints[parameter.name], small=small, mined=mine(diff.f_original) if small else None
            )
        if strategy is None and parameter.name in shapes and shapes[parameter.name]:
            strategy = strategy_for_shape(shapes[parameter.name])
        if strategy is None and observed:
            strategy = _one_of_captured(observed[:50])
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


class _Captured:
    """A captured value as hypothesis draws it: by its index. Hypothesis hashes what it samples
    from (a receiver captured before its `__init__` ran has no attributes for its `__hash__` yet)
    and shows what it drew (`find` shows its answer; a repr can fill a lazy cache of the object,
    pyparsing's default names, and the pristine captured inputs would then differ from those the
    original's outcomes were recorded on). `_to_call` puts the value itself in the call."""

    def __init__(self, values: list[Any], index: int) -> None:
        self.values = values
        self.index = index

    def __repr__(self) -> str:
        return f"<captured value {self.index}>"

    def value(self) -> Any:
        return self.values[self.index]


def _one_of_captured(values: list[Any]) -> Any:
    return st.sampled_from(range(len(values))).map(lambda index: _Captured(values, index))


def _contract_strategies(
    diff: Differential, job: dict[str, Any], chosen: list[tuple[inspect.Parameter, Any]], small: list[Any]
) -> list[Any] | None:
    """Per chosen parameter, a strategy over its declared contract (contract.py); the steered
    small strategy where the contract adds nothing. None when no parameter's contract is wider
    than what the steered strategies draw."""
    hints = type_hints(diff.f_original)
    shapes: dict[str, Any] = job.get("params", {}) or {}
    mined = mine(diff.f_original)
    private = internal(str(job.get("qualname", "")))
    strategies: list[Any] = []
    any_wider = False
    for index, (parameter, steered) in enumerate(chosen):
        annotation = hints.get(parameter.name, UNANNOTATED)
        strategy, wider = None, False
        receiver = diff.method and index == 0
        if not receiver and not (annotation is UNANNOTATED and private):
            strategy, wider = contract_strategy(annotation, shapes.get(parameter.name) or None, mined)
        if strategy is None:
            strategies.append(small[index] if index < len(small) else steered)
            continue
        if parameter.default is not inspect.Parameter.empty and parameter.kind in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        ):
            strategy = st.one_of(st.just(USE_DEFAULT), strategy)
        strategies.append(strategy)
        any_wider = any_wider or wider
    return strategies if any_wider else None


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
    for parameter, drawn in zip(parameters, values, strict=True):
        value = drawn.value() if isinstance(drawn, _Captured) else drawn
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
    # Half the examples steered by the captured shapes and hints (above), half over the declared
    # contract (the value tagged True): kinds the workload never showed (contract.py).
    contract = _contract_strategies(
        diff, job, chosen, [s for _, s in small] if len(small) == len(chosen) else []
    )
    tagged = calls.map(lambda values: (False, values))
    if contract is not None:
        steered, widened = tagged, st.tuples(*contract).map(lambda values: (True, values))
        # The contract examples come on top of the steered ones, one for every two: the steered
        # count (what finds ordinary bugs) stays as configured. A uniform pick per example
        # (one_of favours its first branch: hypothesis then went wide far less often).
        tagged = st.sampled_from([True, False, False]).flatmap(lambda wide: widened if wide else steered)
        max_examples += max_examples // 2
    seeds: list[tuple[int, CapturedCall]] = []
    budget_floor = diff.remaining() * 0.4  # leave time for stress inputs
    # Generated inputs are for correctness: ones the original needs long for are dropped quickly.
    generated_limit = float(config.get("call_timeout_s", 0.5))
    failures: list[Mismatch] = []
    too_slow: list[CandidateTooSlow] = []
    examined = [0]  # examples actually run (a list: the property below updates it)

    @seed(EXAMPLES_SEED)
    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        print_blob=False,
    )
    @given(tagged)
    def differential(drawn: tuple[bool, tuple[Any, ...]]) -> None:
        if too_slow or (diff.remaining() < budget_floor and examined[0] >= MIN_EXAMPLES):
            return  # out of time (or already judged too slow): the remaining examples pass trivially
        examined[0] += 1
        widened, values = drawn
        call = _to_call(parameters, values)
        try:
            # Outside the workload's kinds, "both raise TypeError" is agreement whatever the
            # message says (operand order in "'<' not supported between ..." is not a contract).
            checked = diff.compare(
                call, "hypothesis", original_limit=generated_limit, same_error_agrees=widened
            )
            if checked and not widened:  # stress inputs grow from the workload's kinds only
                seeds.append((pickled_size((call.args, call.kwargs)), call))
                seeds.sort(key=lambda item: -item[0])
                del seeds[_SEEDS_KEPT:]
        except Mismatch as mismatch:
            failures.append(mismatch)
            raise AssertionError(mismatch.detail) from None
        except CandidateTooSlow as slow:
            too_slow.append(slow)  # not a behaviour difference to shrink: stop and report it

    for values in reversed(explicit):  # `example` decorators run innermost first
        differential = example((False, values))(differential)
    try:
        differential()
    except AssertionError:
        if failures:
            raise failures[-1] from None  # the last failure is the shrunk one
        raise
    except Exception:
        # Hypothesis calls a failure it cannot replay flaky (the budget ran out while shrinking,
        # so the replay passed trivially): the difference it saw is still a difference.
        if failures:
            raise failures[-1] from None
        raise
    if too_slow:
        raise too_slow[0]
    job["_generated_seeds"] = [call for _, call in seeds]
    return None


def seed_calls(diff: Differential, job: dict[str, Any]) -> list[CapturedCall]:
    seeds: list[CapturedCall] = job.get("_generated_seeds", [])
    return seeds
