"""build_provider: the LLMProvider a configuration names (settings pass the values in)."""

from __future__ import annotations

import dataclasses
from typing import Literal, get_args

from optiagent.adapters.llm.retry import RetryPolicy
from optiagent.domain.errors import ConfigError
from optiagent.ports.llm import LLMProvider

ProviderKind = Literal["openai", "anthropic", "openai-compatible"]
PROVIDER_KINDS: tuple[str, ...] = get_args(ProviderKind)

# Local OpenAI-compatible servers ignore the key, but the SDK insists on one.
UNUSED_API_KEY = "not-needed"


def build_provider(
    provider: str,
    model: str,
    base_url: str | None,
    api_key: str | None,
    timeout_s: float,
    max_retries: int,
    *,
    retry: RetryPolicy | None = None,
) -> LLMProvider:
    """`max_retries` counts retries after the first attempt; `retry` sets the backoff (its attempts are ignored)."""
    if not model:
        raise ConfigError("an LLM model name is required")
    if max_retries < 0:
        raise ConfigError("max_retries must not be negative")
    policy = dataclasses.replace(retry or RetryPolicy(), max_attempts=max_retries + 1)
    # Each SDK is imported only when its provider is chosen: importing one takes seconds.
    match provider:
        case "openai":
            from optiagent.adapters.llm.openai_chat import OPENAI_BASE_URL, OpenAIChatProvider

            return OpenAIChatProvider(
                api_key=_required_key(provider, api_key),
                default_model=model,
                base_url=base_url or OPENAI_BASE_URL,
                timeout_s=timeout_s,
                retry=policy,
            )
        case "anthropic":
            from optiagent.adapters.llm.anthropic_messages import (
                ANTHROPIC_BASE_URL,
                AnthropicMessagesProvider,
            )

            return AnthropicMessagesProvider(
                api_key=_required_key(provider, api_key),
                default_model=model,
                base_url=base_url or ANTHROPIC_BASE_URL,
                timeout_s=timeout_s,
                retry=policy,
            )
        case "openai-compatible":
            if not base_url:
                raise ConfigError(
                    "provider 'openai-compatible' needs a base_url, e.g. http://127.0.0.1:11434/v1"
                )
            from optiagent.adapters.llm.openai_chat import OpenAIChatProvider

            return OpenAIChatProvider(
                api_key=api_key or UNUSED_API_KEY,
                default_model=model,
                base_url=base_url,
                timeout_s=timeout_s,
                retry=policy,
                max_tokens_field="max_tokens",
                name="openai-compatible",
            )
        case _:
            raise ConfigError(
                f"unknown LLM provider {provider!r}; expected one of {', '.join(PROVIDER_KINDS)}"
            )


def _required_key(provider: str, api_key: str | None) -> str:
    if not api_key:
        raise ConfigError(f"provider {provider!r} needs an API key")
    return api_key
