"""`plansearch`: search over natural-language ideas, then write code (algorithms.md section 4).

observations -> derived observations over subsets -> sketch -> critique -> fix -> pseudocode (for
the sketch and the fixed sketch) -> code. Caps on subsets keep the call count bounded:

    calls = 1 + L + S * (3 + 2 + 2)      (+ retries of unparsable observation lists)

with L = min(max_layer1, subsets of the first observations) derive calls and S = the number of
distinct observation sets kept (at most max_obs_sets), each giving two programs.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from optiagent.agents.parsing import DraftError, parse_string_list
from optiagent.agents.strategies.base import Draft, Work, draft_from

LIST_RETRY_TEMPERATURES = (0.0, 0.2, 0.4)


def subsets(items: Sequence[str], max_size: int, rng: random.Random) -> list[tuple[str, ...]]:
    """All subsets of sizes 0..max_size, shuffled."""
    found = [combo for size in range(max_size + 1) for combo in itertools.combinations(items, size)]
    rng.shuffle(found)
    return found


def bullets(observations: Sequence[str]) -> str:
    if not observations:
        return "No observations are necessary to solve the problem."
    return "\n".join(f"- {item}" for item in observations)


@dataclass(frozen=True)
class PlanSearchStrategy:
    n_observations: int = 3
    max_subset_size: int = 2
    max_layer1: int = 3  # layer-1 subsets that get a derive call
    max_derived_subsets: int = 2  # layer-2 subsets kept per derive call
    max_obs_sets: int = 3  # distinct observation sets turned into sketches
    temperature: float = 0.9
    name: str = "plansearch"

    def _observations(self, work: Work, prompt_id: str, **values: object) -> list[str]:
        """The 4-turn observation chat, folded into one call; 3 tries, then no observations."""
        for attempt, temperature in enumerate(LIST_RETRY_TEMPERATURES):
            reply = work.session.ask(prompt_id, temperature=temperature, sample=attempt, **values)
            try:
                return parse_string_list(reply.text)[: self.n_observations]
            except DraftError:
                continue
        return []

    def plan(self, work: Work) -> list[tuple[str, str]]:
        """(label, pseudocode) for every sketch and fixed sketch of every observation set."""
        first = self._observations(
            work, "plansearch.observe", problem=work.problem.text, count=self.n_observations
        )
        obs_sets: list[tuple[str, ...]] = [()]
        for subset in subsets(first, self.max_subset_size, work.rng)[: self.max_layer1]:
            if subset not in obs_sets:
                obs_sets.append(subset)
            derived = self._observations(
                work, "plansearch.derive", problem=work.problem.text, observations=bullets(subset)
            )
            for sub2 in subsets(derived, self.max_subset_size, work.rng)[: self.max_derived_subsets]:
                if sub2 not in obs_sets:
                    obs_sets.append(sub2)  # layer-2 sets hold only the derived observations
        pseudocodes: list[tuple[str, str]] = []
        for index, obs_set in enumerate(obs_sets[: self.max_obs_sets]):
            sketch = work.session.ask(
                "plansearch.sketch",
                temperature=self.temperature,
                problem=work.problem.text,
                observations=bullets(obs_set),
            ).text
            critique = work.session.ask(
                "plansearch.critique", temperature=self.temperature, problem=work.problem.text, sketch=sketch
            ).text
            fixed = work.session.ask(
                "plansearch.fix",
                temperature=self.temperature,
                problem=work.problem.text,
                sketch=sketch,
                critique=critique,
            ).text
            for label, idea in ((f"set{index}-sketch", sketch), (f"set{index}-fixed", fixed)):
                pseudo = work.session.ask(
                    "plansearch.pseudocode",
                    temperature=self.temperature,
                    problem=work.problem.text,
                    sketch=idea,
                ).text
                pseudocodes.append((label, pseudo))
        return pseudocodes

    def generate(self, work: Work, plan: object) -> list[Draft]:
        assert isinstance(plan, list)
        drafts = []
        for label, pseudo in plan:
            reply = work.session.ask(
                "plansearch.code",
                temperature=self.temperature,
                problem=work.problem.text,
                function_name=work.name,
                pseudocode=pseudo,
            )
            drafts.append(draft_from(work, self.name, reply, idea=label))
        work.rng.shuffle(drafts)
        return drafts
