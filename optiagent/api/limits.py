"""Per-token limits of the API: requests per minute, and event streams open at once.

Counted in Redis, so every API process shares one count per token (compose runs two). When Redis
does not answer, each process counts on its own in memory (bounded), so an outage neither stops the
API nor lifts the limits.
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Protocol

import structlog
from redis import asyncio as aioredis
from redis.exceptions import RedisError

log = structlog.get_logger("optiagent.api")
WINDOW_S = 60  # requests are counted per token in fixed one-minute windows
MEMORY_MAX_KEYS = 10_000


@dataclass(frozen=True)
class LimitSettings:
    requests_per_minute: int = 600  # 0: no limit
    max_streams: int = 4
    max_stream_s: float = 3600.0


class Limits(Protocol):
    settings: LimitSettings

    async def hit(self, token_id: str) -> float | None:
        """Counts a request; None when allowed, else the seconds until the next window."""
        ...

    async def open_stream(self, token_id: str) -> str | None:
        """A handle for a new stream, or None when the token has `max_streams` open."""
        ...

    async def close_stream(self, token_id: str, handle: str) -> None: ...


@dataclass
class MemoryLimits:
    """One process's counts (tests, one API process, and the fallback when Redis is down)."""

    settings: LimitSettings = field(default_factory=LimitSettings)
    _counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # token -> (window, count)
    _streams: dict[str, dict[str, float]] = field(default_factory=dict)  # token -> handle -> deadline

    async def hit(self, token_id: str) -> float | None:
        limit = self.settings.requests_per_minute
        if limit <= 0:
            return None
        now = time.time()
        window = int(now // WINDOW_S)
        if len(self._counts) > MEMORY_MAX_KEYS:
            self._counts.clear()
        seen, count = self._counts.get(token_id, (window, 0))
        count = count + 1 if seen == window else 1
        self._counts[token_id] = (window, count)
        return None if count <= limit else _until_next_window(now)

    async def open_stream(self, token_id: str) -> str | None:
        now = time.time()
        if len(self._streams) > MEMORY_MAX_KEYS:
            self._streams = {k: v for k, v in self._streams.items() if any(d > now for d in v.values())}
        open_now = {h: d for h, d in self._streams.get(token_id, {}).items() if d > now}
        if len(open_now) >= self.settings.max_streams:
            return None
        handle = uuid.uuid4().hex
        open_now[handle] = now + self.settings.max_stream_s
        self._streams[token_id] = open_now
        return handle

    async def close_stream(self, token_id: str, handle: str) -> None:
        self._streams.get(token_id, {}).pop(handle, None)


class RedisLimits:
    """Counts shared by every API process through Redis; a stream's entry expires on its own
    deadline, so a process that dies with streams open does not hold the token's slots."""

    def __init__(self, redis_url: str, settings: LimitSettings) -> None:
        self.settings = settings
        self._redis = aioredis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._fallback = MemoryLimits(settings)

    async def hit(self, token_id: str) -> float | None:
        limit = self.settings.requests_per_minute
        if limit <= 0:
            return None
        now = time.time()
        key = f"optiagent:rate:{token_id}:{int(now // WINDOW_S)}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, 2 * WINDOW_S)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as error:
            log.warning("rate_limit_local", reason=str(error)[:200])
            return await self._fallback.hit(token_id)
        return None if int(count) <= limit else _until_next_window(now)

    async def open_stream(self, token_id: str) -> str | None:
        now = time.time()
        key, handle = f"optiagent:streams:{token_id}", uuid.uuid4().hex
        try:
            # Added first, counted after: two processes racing may both refuse, never both admit.
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(key, "-inf", now)
                pipe.zadd(key, {handle: now + self.settings.max_stream_s})
                pipe.expire(key, math.ceil(self.settings.max_stream_s) + 60)
                pipe.zcard(key)
                *_, count = await pipe.execute()
            if int(count) > self.settings.max_streams:
                await self._redis.zrem(key, handle)
                return None
        except (RedisError, OSError) as error:
            log.warning("stream_limit_local", reason=str(error)[:200])
            return await self._fallback.open_stream(token_id)
        return handle

    async def close_stream(self, token_id: str, handle: str) -> None:
        try:
            await self._redis.zrem(f"optiagent:streams:{token_id}", handle)
        except (RedisError, OSError):
            pass  # the entry expires at its deadline
        await self._fallback.close_stream(token_id, handle)


def _until_next_window(now: float) -> float:
    return max(1.0, math.ceil(WINDOW_S - now % WINDOW_S))
