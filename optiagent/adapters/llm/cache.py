"""CachingProvider: answers a request seen before from a cache instead of the provider.

The cache is a small Protocol (the SQL store implements it too); the key is the provider's name and
`request_hash`, so identical requests to different providers do not collide. A hit comes back with
`cached=True` so budgets do not charge for it.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Protocol

from optiagent.ports.llm import Completion, CompletionRequest, LLMProvider, request_hash


class CompletionCache(Protocol):
    def get(self, key: str) -> Completion | None: ...

    def put(self, key: str, completion: Completion) -> None: ...


class InMemoryCompletionCache:
    def __init__(self) -> None:
        self._entries: dict[str, Completion] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Completion | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: str, completion: Completion) -> None:
        with self._lock:
            self._entries[key] = completion

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class CachingProvider:
    def __init__(self, inner: LLMProvider, cache: CompletionCache) -> None:
        self.name = inner.name
        self.default_model = inner.default_model
        self._inner = inner
        self._cache = cache

    def complete(self, request: CompletionRequest) -> Completion:
        key = cache_key(self._inner.name, request)
        hit = self._cache.get(key)
        if hit is not None:
            return dataclasses.replace(hit, cached=True)
        completion = self._inner.complete(request)
        if not completion.cached:
            self._cache.put(key, completion)
        return completion


def cache_key(provider_name: str, request: CompletionRequest) -> str:
    return f"{provider_name}:{request_hash(request)}"
