"""OpenAIChatProvider: the chat completions API through the official `openai` SDK.

Serves OpenAI itself and OpenAI-compatible servers (Ollama, vLLM, llama.cpp server, LM Studio) via
`base_url`. The SDK's own retries are off; `RetryPolicy` decides.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Literal

import openai
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

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

OPENAI_BASE_URL = "https://api.openai.com/v1"

# OpenAI deprecated `max_tokens` for `max_completion_tokens`; many compatible servers know only the former.
MaxTokensField = Literal["max_tokens", "max_completion_tokens"]

_FINISH_REASONS = {
    "stop": FinishReason.STOP,
    "length": FinishReason.LENGTH,
    "content_filter": FinishReason.CONTENT_FILTER,
}


class OpenAIChatProvider:
    def __init__(
        self,
        *,
        api_key: str,
        default_model: str,
        base_url: str = OPENAI_BASE_URL,
        timeout_s: float = 60.0,
        retry: RetryPolicy | None = None,
        max_tokens_field: MaxTokensField = "max_completion_tokens",
        name: str = "openai",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.default_model = default_model
        self._client = openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0)
        self._retry = retry or RetryPolicy()
        self._max_tokens_field = max_tokens_field
        self._sleep = sleep

    def complete(self, request: CompletionRequest) -> Completion:
        return call_with_retry(lambda: self._complete_once(request), self._retry, sleep=self._sleep)

    def close(self) -> None:
        self._client.close()

    def _complete_once(self, request: CompletionRequest) -> Completion:
        options: dict[str, Any] = {self._max_tokens_field: request.max_tokens}
        if request.temperature is not None:
            options["temperature"] = request.temperature
        if request.stop:
            options["stop"] = list(request.stop)
        try:
            response = self._client.chat.completions.create(
                model=request.model, messages=[_to_openai_message(m) for m in request.messages], **options
            )
        except (openai.OpenAIError, json.JSONDecodeError) as error:
            raise translate_openai_error(self.name, error) from error
        return self._to_completion(response)

    def _to_completion(self, response: ChatCompletion) -> Completion:
        if not response.choices:
            raise ProviderUnavailableError(f"{self.name}: reply without choices")
        choice = response.choices[0]
        usage = response.usage
        finish = _FINISH_REASONS.get(choice.finish_reason, FinishReason.OTHER)
        if choice.message.refusal:
            finish = FinishReason.CONTENT_FILTER
        return Completion(
            text=choice.message.content or "",
            # Some compatible servers report no usage; budgets then see zero tokens.
            usage=Usage(usage.prompt_tokens, usage.completion_tokens) if usage else Usage(0, 0),
            model=response.model,
            finish_reason=finish,
        )


def translate_openai_error(provider: str, error: Exception) -> LLMError:
    """The one place where `openai` exceptions become ours."""
    match error:
        case openai.APIStatusError(status_code=status, message=message, response=response):
            return error_for_status(provider, status, message, response.headers)
        case openai.APITimeoutError():
            return ProviderUnavailableError(f"{provider}: request timed out")
        case openai.APIConnectionError():
            return ProviderUnavailableError(f"{provider}: cannot connect: {error.__cause__ or error}")
        case openai.APIResponseValidationError() | json.JSONDecodeError():
            return ProviderUnavailableError(f"{provider}: malformed reply: {error}")
        case _:
            return ProviderUnavailableError(f"{provider}: {type(error).__name__}: {error}")


def _to_openai_message(message: Message) -> ChatCompletionMessageParam:
    match message.role:
        case "system":
            return {"role": "system", "content": message.content}
        case "user":
            return {"role": "user", "content": message.content}
        case "assistant":
            return {"role": "assistant", "content": message.content}
