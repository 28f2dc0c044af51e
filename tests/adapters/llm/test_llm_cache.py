"""CachingProvider: a repeated request is answered from the cache, without an HTTP request."""

from __future__ import annotations

import dataclasses

import pytest

from optiagent.adapters.llm.cache import CachingProvider, InMemoryCompletionCache, cache_key
from optiagent.adapters.llm.scripted import ScriptedProvider
from optiagent.ports.llm import CompletionRequest, Message, ProviderUnavailableError, request_hash
from tests.adapters.llm.sdk_providers import SdkProvider
from tests.fakes.llm_server import FakeLLMServer, TextReply

REQUEST = CompletionRequest(
    messages=(Message("user", "speed this up"),), model="m-test", prompt_id="rewrite@1"
)


def test_cache_hit_makes_no_second_http_request(llm_server: FakeLLMServer, sdk_provider: SdkProvider) -> None:
    """The second identical request is served from the cache: one HTTP request in total."""
    llm_server.enqueue(TextReply("fast code", prompt_tokens=12, completion_tokens=4))
    provider = CachingProvider(sdk_provider, InMemoryCompletionCache())

    first = provider.complete(REQUEST)
    second = provider.complete(REQUEST)

    assert len(llm_server.requests) == 1
    assert second == dataclasses.replace(first, cached=True)
    assert not first.cached


def test_different_samples_are_different_cache_entries() -> None:
    """Sample 0 and sample 1 of one prompt are two provider calls, not one cached answer."""
    inner = ScriptedProvider(["a", "b"])
    provider = CachingProvider(inner, InMemoryCompletionCache())

    texts = [provider.complete(dataclasses.replace(REQUEST, sample=i)).text for i in (0, 1, 0)]

    assert texts == ["a", "b", "a"]
    assert len(inner.requests) == 2


def test_prompt_id_does_not_change_the_key() -> None:
    """Provenance (prompt_id) is not part of the cache key; the provider name is."""
    other_prompt = dataclasses.replace(REQUEST, prompt_id="other@2")

    assert request_hash(REQUEST) == request_hash(other_prompt)
    assert cache_key("openai", REQUEST) != cache_key("anthropic", REQUEST)


def test_errors_are_not_cached() -> None:
    """An outage is not remembered: the next call reaches the provider again."""
    inner = ScriptedProvider([ProviderUnavailableError("down"), "up"])
    provider = CachingProvider(inner, InMemoryCompletionCache())

    with pytest.raises(ProviderUnavailableError):
        provider.complete(REQUEST)

    assert provider.complete(REQUEST).text == "up"
