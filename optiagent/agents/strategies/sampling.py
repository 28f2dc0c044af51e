"""`sampling`: the repeated-sampling baseline, n independent completions of one prompt."""

from __future__ import annotations

from dataclasses import dataclass

from optiagent.agents.strategies.base import Draft, Work, draft_from


@dataclass(frozen=True)
class SamplingStrategy:
    samples: int = 4
    temperature: float = 0.8
    name: str = "sampling"

    def plan(self, work: Work) -> object:
        return None

    def generate(self, work: Work, plan: object) -> list[Draft]:
        drafts = []
        for sample in range(self.samples):
            reply = work.session.ask(
                "optimize.sample",
                temperature=self.temperature,
                sample=sample,
                problem=work.problem.text,
                function_name=work.name,
            )
            drafts.append(draft_from(work, self.name, reply, sample=sample))
        return drafts
