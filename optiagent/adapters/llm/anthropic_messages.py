"""AnthropicMessagesProvider: the messages API through the official `anthropic` SDK.

System messages travel in the separate `system` field; the SDK's own retries are off.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import anthropic
from anthropic.types import Message as AnthropicMessage
from anthropic.types import MessageParam

from optiagent.adapters.llm.errors import error_for_status
from optiagent.adapters.llm.retry import RetryPolicy, call_with_retry
from optiagent.ports.llm import (
    Completion,
    CompletionRequest,
    FinishReason,
    LLMError,
    Message,
    ProviderUnavailableError,
    Usage,
)

ANTHROPIC_BASE_URL = "https://api.anthropic.com"

_FINISH_REASONS = {
    "end_turn": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    "max_tokens": FinishReason.LENGTH,
    "model_context_window_exceeded": FinishReason.LENGTH,
    "refusal": FinishReason.CONTENT_FILTER,
}


class AnthropicMessagesProvider:
    def __init__(
        self,
        *,
        api_key: str,
        default_model: str,
        base_url: str = ANTHROPIC_BASE_URL,
        timeout_s: float = 60.0,
        retry: RetryPolicy | None = None,
        name: str = "anthropic",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.default_model = default_model
        self._client = anthropic.Anthropic(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0
        )
        self._retry = retry or RetryPolicy()
        self._sleep = sleep

    def complete(self, request: CompletionRequest) -> Completion:
        return call_with_retry(lambda: self._complete_once(request), self._retry, sleep=self._sleep)

    def close(self) -> None:
        self._client.close()

    def _complete_once(self, request: CompletionRequest) -> Completion:
        system, turns = split_system_prompt(request)
        options: dict[str, Any] = {}
        if system:
            options["system"] = system
        if request.temperature is not None:
            # anthropic>=1.0 dropped the keyword (newer models accept only the default); the API still
            # takes the field where the model supports it.
            options["extra_body"] = {"temperature": request.temperature}
        if request.stop:
            options["stop_sequences"] = list(request.stop)
        try:
            response = self._client.messages.create(
                model=request.model, max_tokens=request.max_tokens, messages=turns, **options
            )
        except (anthropic.AnthropicError, json.JSONDecodeError) as error:
            raise translate_anthropic_error(self.name, error) from error
        return _to_completion(response)


def split_system_prompt(request: CompletionRequest) -> tuple[str, list[MessageParam]]:
    """System messages joined into one system prompt; the other turns in order."""
    system = "\n\n".join(m.content for m in request.messages if m.role == "system")
    turns = [_to_turn(m) for m in request.messages if m.role != "system"]
    return system, turns


def _to_turn(message: Message) -> MessageParam:
    if message.role == "user":
        return {"role": "user", "content": message.content}
    return {"role": "assistant", "content": message.content}


def translate_anthropic_error(provider: str, error: Exception) -> LLMError:
    """The one place where `anthropic` exceptions become ours."""
    match error:
        case anthropic.APIStatusError(status_code=status, message=message, response=response):
            return error_for_status(provider, status, message, response.headers)
        case anthropic.APITimeoutError():
            return ProviderUnavailableError(f"{provider}: request timed out")
        case anthropic.APIConnectionError():
            return ProviderUnavailableError(f"{provider}: cannot connect: {error.__cause__ or error}")
        case anthropic.APIResponseValidationError() | json.JSONDecodeError():
            return ProviderUnavailableError(f"{provider}: malformed reply: {error}")
        case _:
            return ProviderUnavailableError(f"{provider}: {type(error).__name__}: {error}")


def _to_completion(response: AnthropicMessage) -> Completion:
    text = "".join(block.text for block in response.content if block.type == "text")
    return Completion(
        text=text,
        usage=Usage(response.usage.input_tokens, response.usage.output_tokens),
        model=response.model,
        finish_reason=_FINISH_REASONS.get(response.stop_reason or "", FinishReason.OTHER),
    )
