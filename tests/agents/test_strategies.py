"""Each strategy end to end through the agent graph, with a scripted provider.

Validation and probing go through the real LocalSandbox (tests/agents/conftest.py); only the model
is scripted. The assertions are about call structure, parsing and what reaches the candidates.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from math import comb

import pytest

from optiagent.adapters.llm.budget import BudgetedProvider
from optiagent.adapters.llm.scripted import ScriptedProvider
from optiagent.agents.generator import AgentGenerator, AutoGenerator, NoCandidatesError
from optiagent.agents.graph import AgentOutcome, AgentRun, AgentSettings, run_agent
from optiagent.agents.llm import LLMOptions, LLMSession
from optiagent.agents.prompts import PROMPTS_DIR
from optiagent.agents.strategies.base import Strategy
from optiagent.agents.strategies.funcoder import FunCoderStrategy
from optiagent.agents.strategies.plansearch import PlanSearchStrategy
from optiagent.agents.strategies.rewoo import ReWOOStrategy
from optiagent.agents.strategies.sampling import SamplingStrategy
from optiagent.domain.candidates import Budget
from optiagent.domain.targets import Target, TargetKind
from optiagent.ports.generator import TargetContext
from optiagent.ports.llm import BudgetExhaustedError, LLMProvider
from tests.agents.conftest import SLOW_MODULE, Sandboxed
from tests.agents.scripts import overriding, scripted, step
from tests.fakes.llm_model import FAST

OPTIONS = LLMOptions("scripted-model")
TARGET = Target("mod.py", "primes_below", TargetKind.FUNCTION, score=1.0)
NO_PORTS = TargetContext(module_source=SLOW_MODULE, target_source=SLOW_MODULE.split("\n\n\n")[1])

WRONG = "```python\ndef primes_below(limit: int) -> list[int]:\n    return list(range(2, limit))\n```"
OFF_BY_ONE = (  # fast (a sieve), but counts `limit` itself in
    "```python\ndef primes_below(limit: int) -> list[int]:\n"
    "    if limit < 2:\n        return []\n"
    "    flags = bytearray([1]) * (limit + 1)\n    flags[0] = flags[1] = 0\n"
    "    for p in range(2, int(limit**0.5) + 1):\n"
    "        if flags[p]:\n            flags[p * p :: p] = bytes(len(range(p * p, limit + 1, p)))\n"
    "    return [n for n, flag in enumerate(flags) if flag]\n```"
)


def run(
    strategy: Strategy, provider: LLMProvider, context: TargetContext = NO_PORTS, **settings: int
) -> AgentOutcome:
    session = LLMSession(provider, OPTIONS)
    return run_agent(AgentRun(TARGET, context, session, strategy, AgentSettings(**settings)))


def steps(provider: ScriptedProvider) -> Counter[str]:
    return Counter(step(request) for request in provider.requests)


@pytest.mark.parametrize(("n", "layer1", "obs_sets"), [(3, 3, 3), (2, 10, 2), (1, 10, 4)])
def test_plansearch_call_count_follows_the_capped_formula(n: int, layer1: int, obs_sets: int) -> None:
    """1 observe + L derive + S * (sketch, critique, fix, 2 pseudocode, 2 code) calls."""
    provider = ScriptedProvider(scripted())
    strategy = PlanSearchStrategy(n_observations=n, max_layer1=layer1, max_obs_sets=obs_sets)
    outcome = run(strategy, provider)
    derive = min(layer1, sum(comb(n, k) for k in range(3)))
    counts = steps(provider)
    sets = counts["plansearch.sketch"]
    assert counts["plansearch.observe"] == 1
    assert counts["plansearch.derive"] == derive
    assert 1 <= sets <= obs_sets
    assert counts["plansearch.critique"] == counts["plansearch.fix"] == sets
    assert counts["plansearch.pseudocode"] == counts["plansearch.code"] == 2 * sets
    assert len(provider.requests) == 1 + derive + 7 * sets
    assert outcome.candidates and all(c.strategy == "plansearch" for c in outcome.candidates)


def test_plansearch_retries_an_unparsable_observation_list_then_goes_on_without() -> None:
    provider = ScriptedProvider(
        overriding({"plansearch.observe": ["not a list", "```python\n{'a': 1}\n```", "[1, 2"]})
    )
    run(PlanSearchStrategy(), provider)
    observe = [r for r in provider.requests if step(r) == "plansearch.observe"]
    assert [r.temperature for r in observe] == [0.0, 0.2, 0.4]
    assert steps(provider)["plansearch.derive"] == 1  # only the empty subset is left


def test_sampling_draws_distinct_samples_of_one_prompt() -> None:
    provider = ScriptedProvider(scripted())
    run(SamplingStrategy(samples=4), provider)
    assert [r.sample for r in provider.requests] == [0, 1, 2, 3]
    assert {r.temperature for r in provider.requests} == {0.8}
    assert len({r.messages for r in provider.requests}) == 1


def test_rewoo_plans_once_runs_tools_without_the_model_and_solves_once(primes_target: Sandboxed) -> None:
    provider = ScriptedProvider(scripted())
    outcome = run(ReWOOStrategy(), provider, primes_target.context)
    assert [step(r) for r in provider.requests] == ["rewoo.plan", "rewoo.solve"]
    evidence = provider.requests[1].messages[-1].content
    assert "#E1 = ReadCode[primes_below]" in evidence and "for n in range(2, limit)" in evidence
    assert "#E2 = Time[primes_below(101)]" in evidence and "s (result: [2, 3, 5" in evidence
    assert "#E4 = History[]" in evidence and "no similar accepted edits" in evidence
    assert "#E5 = Search[primes_below\\(]" in evidence and "search is not available here" in evidence
    best = outcome.candidates[0]
    assert best.provenance["agent_verdict"] == "equivalent"
    assert "bytearray" in best.source


def test_a_correct_faster_candidate_passes_and_a_wrong_one_is_rejected(primes_target: Sandboxed) -> None:
    provider = ScriptedProvider(overriding({"optimize.sample": [WRONG]}))
    outcome = run(SamplingStrategy(samples=2), provider, primes_target.context)
    verdicts = {("bytearray" in c.source): c.provenance["agent_verdict"] for c in outcome.candidates}
    assert verdicts == {True: "equivalent", False: "mismatch"}
    assert "bytearray" in outcome.candidates[0].source
    assert primes_target.checked == [2]  # both drafts in one batched sandbox check


def test_repair_gets_the_shrunk_counterexample_and_fixes_the_candidate(primes_target: Sandboxed) -> None:
    provider = ScriptedProvider(overriding({"optimize.sample": [OFF_BY_ONE]}))
    outcome = run(SamplingStrategy(samples=1), provider, primes_target.context)
    repair = [r for r in provider.requests if step(r) == "optimize.repair"]
    assert len(repair) == 1
    feedback = repair[0].messages[-1].content
    assert "Verdict: mismatch" in feedback and "counterexample" in feedback and "limit" in feedback
    repaired = [c for c in outcome.candidates if c.provenance.get("repair_round") == 1]
    assert repaired and repaired[0].provenance["agent_verdict"] == "equivalent"


def test_repair_rounds_are_bounded_and_never_repeat_a_draft(primes_target: Sandboxed) -> None:
    same = ScriptedProvider(
        overriding({"optimize.sample": [OFF_BY_ONE], "optimize.repair": [OFF_BY_ONE] * 9})
    )
    run(SamplingStrategy(samples=1), same, primes_target.context, max_repair_rounds=3)
    assert steps(same)["optimize.repair"] == 1  # the same wrong code again is not repaired again
    variants = [OFF_BY_ONE.replace("limit < 2", f"limit < {k}") for k in range(-5, 2)]
    different = ScriptedProvider(overriding({"optimize.sample": [OFF_BY_ONE], "optimize.repair": variants}))
    outcome = run(SamplingStrategy(samples=1), different, primes_target.context, max_repair_rounds=2)
    assert steps(different)["optimize.repair"] == 2  # one per round, two rounds
    assert all(c.provenance["agent_verdict"] == "mismatch" for c in outcome.candidates)


def test_funcoder_divides_recurses_conquers_and_reaches_consensus(primes_target: Sandboxed) -> None:
    wrong_sample = "```python\ndef primes_below(limit: int) -> list[int]:\n    return [limit, 0]\n```"
    helper = f"```python\n{FAST['_prime_flags']}```"
    provider = ScriptedProvider(overriding({"funcoder.conquer": [helper] * 3 + [wrong_sample]}))
    outcome = run(FunCoderStrategy(), provider, primes_target.context)
    divided = [r.messages[-1].content for r in provider.requests if step(r) == "funcoder.divide"]
    assert len(divided) == 2 and "`_prime_flags`" in divided[1]  # the declared helper became a child
    assert steps(provider)["funcoder.conquer"] == 6  # 3 samples for each function
    assert steps(provider)["funcoder.calls"] == 1  # the child's samples all agreed with pass 1
    sources = [c.source for c in outcome.candidates]
    assert sources and all("return [limit, 0]" not in s for s in sources)  # outvoted by the others
    assert "def _prime_flags" in sources[0]
    assert "trial division against the primes found so far" in sources[0]  # root docstring kept
    assert outcome.candidates[0].provenance["agent_verdict"] == "equivalent"


def test_candidates_carry_prompt_model_and_token_provenance() -> None:
    provider = ScriptedProvider(scripted())
    outcome = run(SamplingStrategy(samples=1), provider)
    details = outcome.candidates[0].provenance
    text = (PROMPTS_DIR / "optimize.sample.md").read_text(encoding="utf-8")
    assert details["prompt"] == "optimize.sample@1"
    assert details["prompt_hash"] == hashlib.sha256(text.encode()).hexdigest()
    assert details["model"] == "scripted-model"
    assert int(details["prompt_tokens"]) > 0 and int(details["completion_tokens"]) > 0


def test_budget_exhaustion_stops_the_graph_cleanly() -> None:
    inner = ScriptedProvider(scripted())
    budgeted = BudgetedProvider(inner, max_tokens=3000)
    outcome = run(PlanSearchStrategy(), budgeted)
    assert "BudgetExhaustedError" in outcome.stopped
    assert budgeted.tokens_spent >= 3000
    assert (
        budgeted.tokens_spent - budgeted.records[-1].prompt_tokens - budgeted.records[-1].completion_tokens
        < 3000
    )
    assert len(inner.requests) < 25


def test_a_generator_with_nothing_usable_says_why() -> None:
    generator = AgentGenerator(
        SamplingStrategy(samples=2),
        ScriptedProvider(["no code here", "```python\ndef other():\n    return 1\n```"]),
        OPTIONS,
    )
    with pytest.raises(NoCandidatesError, match=r"no ```python code block.*no function named `primes_below`"):
        generator.propose(TARGET, NO_PORTS, Budget())
    with pytest.raises(BudgetExhaustedError):
        AgentGenerator(
            SamplingStrategy(), BudgetedProvider(ScriptedProvider([]), max_tokens=0), OPTIONS
        ).propose(TARGET, NO_PORTS, Budget())


def test_auto_spends_more_on_hot_targets() -> None:
    provider = ScriptedProvider(scripted())
    auto = AutoGenerator(provider, OPTIONS)
    auto.propose(TARGET, NO_PORTS, Budget())  # the hottest target so far
    hot_steps = steps(provider)
    cold = Target("mod.py", "primes_below", TargetKind.FUNCTION, score=0.1)
    before = len(provider.requests)
    auto.propose(cold, NO_PORTS, Budget())
    cold_steps = Counter(step(r) for r in provider.requests[before:])
    assert (
        hot_steps["rewoo.plan"] == 1
        and hot_steps["plansearch.observe"] == 1
        and hot_steps["funcoder.divide"] >= 1
    )
    assert set(cold_steps) == {"rewoo.plan", "rewoo.solve"}
    assert [u.strategy for u in auto.usage.entries] == ["auto", "auto"]
