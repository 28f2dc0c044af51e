"""A write-rate limit per installation, under GitHub's secondary limits (80 content-creating
requests a minute): over it, the caller is told when to try again (RetryLater), it never sleeps.

GitHub counts an installation's writes wherever they come from, so the count that matters is
shared by every worker process: RedisWriteLimiter keeps it in Redis (a sliding window, one atomic
script). When Redis does not answer, each process counts on its own (WriteLimiter), so an outage
neither stops the App nor lifts the limit within a process.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from typing import Protocol

import redis
import structlog
from redis.exceptions import RedisError

from optiagent.ports.codehost import RetryLater

WINDOW_S = 60.0
REASON = "the App's own write-rate limit"
log = structlog.get_logger("optiagent.github")


class WriteLimit(Protocol):
    def acquire(self, installation_id: int) -> None:
        """Counts one write of the installation, or raises RetryLater when it is over its limit."""
        ...


class WriteLimiter:
    """One process's count (tests, a single worker, and the fallback when Redis is down)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._writes: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, installation_id: int) -> None:
        if self.per_minute <= 0:
            return
        now = time.monotonic()
        with self._lock:
            recent = self._writes.setdefault(installation_id, deque())
            while recent and now - recent[0] >= WINDOW_S:
                recent.popleft()
            if len(recent) >= self.per_minute:
                raise RetryLater(WINDOW_S - (now - recent[0]) + 0.5, REASON)
            recent.append(now)


# KEYS[1]: the installation's sorted set of writes (score: Redis's clock in ms).
# ARGV: window ms, limit, a unique member. Returns -1 when counted, else ms until a slot frees.
_SLIDING_WINDOW = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(tonumber(oldest[2]) + window - now, 1)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window + 1000)
return -1
"""


class RedisWriteLimiter:
    """Every process's writes of an installation in one sliding window, in Redis (its clock)."""

    def __init__(self, client: redis.Redis, per_minute: int, prefix: str = "optiagent:github:writes") -> None:
        self.client, self.per_minute, self.prefix = client, per_minute, prefix
        self._script = client.register_script(_SLIDING_WINDOW)
        self._fallback = WriteLimiter(per_minute)

    @classmethod
    def from_url(cls, url: str, per_minute: int) -> RedisWriteLimiter:
        return cls(redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0), per_minute)

    def acquire(self, installation_id: int) -> None:
        if self.per_minute <= 0:
            return
        key = f"{self.prefix}:{installation_id}"
        try:
            wait_ms = int(
                self._script(keys=[key], args=[int(WINDOW_S * 1000), self.per_minute, uuid.uuid4().hex])
            )
        except RedisError as error:
            log.warning("github_write_limit_local", error=str(error)[:200])
            self._fallback.acquire(installation_id)
            return
        if wait_ms >= 0:
            raise RetryLater(wait_ms / 1000 + 0.5, REASON)
