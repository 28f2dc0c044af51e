"""The LLM flags of `optiagent optimize`/`synthesize`, laid over the settings from the environment."""

from __future__ import annotations

from typing import get_args

from optiagent.domain.errors import InputError
from optiagent.settings import LLMSettings, Settings

PROVIDERS: tuple[str, ...] = get_args(LLMSettings.model_fields["provider"].annotation)


def with_llm_flags(
    settings: Settings,
    provider: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    token_budget: int | None = None,
) -> Settings:
    if provider is not None and provider not in PROVIDERS:
        raise InputError(f"--provider must be one of {', '.join(PROVIDERS)}, not {provider!r}")
    if temperature is not None and not 0.0 <= temperature <= 2.0:
        raise InputError("--temperature must be between 0 and 2")
    if max_tokens is not None and max_tokens <= 0:
        raise InputError("--max-tokens must be positive")
    if token_budget is not None and token_budget <= 0:
        raise InputError("--token-budget must be positive")
    flags = {
        "provider": provider,
        "model": model,
        "base_url": base_url,
        "temperature": temperature,
        "max_tokens": max_tokens,
        "token_budget": token_budget,
    }
    update = {name: value for name, value in flags.items() if value is not None}
    if not update:
        return settings
    return settings.model_copy(update={"llm": settings.llm.model_copy(update=update)})
