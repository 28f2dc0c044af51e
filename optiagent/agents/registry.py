"""Names of the LLM strategies and the generators that implement them."""

from __future__ import annotations

from collections.abc import Callable

from optiagent.agents.generator import LLM_STRATEGIES, AgentGenerator, AutoGenerator, UsageLog
from optiagent.agents.llm import LLMOptions
from optiagent.agents.names import LLM_STRATEGY_NAMES
from optiagent.ports.generator import CandidateGenerator
from optiagent.ports.llm import LLMProvider

assert set(LLM_STRATEGY_NAMES) == {*LLM_STRATEGIES, "auto"}


def llm_generator(
    name: str,
    provider: LLMProvider,
    options: LLMOptions,
    remaining_tokens: Callable[[], int | None] = lambda: None,
    usage: UsageLog | None = None,
) -> CandidateGenerator:
    if name == "auto":
        return AutoGenerator(provider, options, remaining_tokens, usage=usage)
    return AgentGenerator(LLM_STRATEGIES[name](), provider, options, usage=usage)
