"""Fixed-window counters for rate limits and sign-in throttling.

Redis when ``REDIS_URL`` is set (shared by every worker), an in-process dict otherwise. When
Redis stops answering, counting falls back to the in-process dict (short timeouts, then a
pause before Redis is tried again) — a limiter never turns a request into an error.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from redis.exceptions import RedisError

from portal.errors import RateLimited

log = logging.getLogger(__name__)


class CounterStore(Protocol):
    def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one hit; return (hits in the current window, seconds until it resets)."""

    def peek(self, key: str) -> tuple[int, int]: ...

    def reset(self, key: str) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self._data: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def _current(self, key: str, now: float) -> tuple[int, float] | None:
        item = self._data.get(key)
        if item is None or item[1] <= now:
            return None
        return item

    def hit(self, key: str, window: int) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            item = self._current(key, now)
            count, expires = (item[0] + 1, item[1]) if item else (1, now + window)
            self._data[key] = (count, expires)
            if len(self._data) > 100_000:
                self._data = {k: v for k, v in self._data.items() if v[1] > now}
        return count, max(1, int(expires - now))

    def peek(self, key: str) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            item = self._current(key, now)
        return (item[0], max(1, int(item[1] - now))) if item else (0, 0)

    def reset(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


REDIS_TIMEOUT_SECONDS = 0.5
REDIS_RETRY_AFTER_SECONDS = 5.0


class RedisStore:
    def __init__(self, url: str, prefix: str = "stoa:rl:") -> None:
        import redis

        self._redis = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._prefix = prefix

    def hit(self, key: str, window: int) -> tuple[int, int]:
        k = self._prefix + key
        pipe = self._redis.pipeline()
        pipe.incr(k)
        pipe.expire(k, window, nx=True)
        pipe.ttl(k)
        count, _, ttl = pipe.execute()
        return int(count), max(1, int(ttl))

    def peek(self, key: str) -> tuple[int, int]:
        k = self._prefix + key
        pipe = self._redis.pipeline()
        pipe.get(k)
        pipe.ttl(k)
        value, ttl = pipe.execute()
        return (int(value), max(1, int(ttl))) if value else (0, 0)

    def reset(self, key: str) -> None:
        self._redis.delete(self._prefix + key)


class FallbackStore:
    """Redis first; the in-process store while Redis is unreachable."""

    def __init__(self, primary: CounterStore, fallback: CounterStore | None = None) -> None:
        self.primary = primary
        self.fallback = fallback or MemoryStore()
        self._down_until = 0.0

    def _call(self, method: str, *args: object) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                return getattr(self.primary, method)(*args)
            except RedisError:
                log.warning("rate-limit store unreachable; counting in-process for now")
                self._down_until = time.monotonic() + REDIS_RETRY_AFTER_SECONDS
        return getattr(self.fallback, method)(*args)

    def hit(self, key: str, window: int) -> tuple[int, int]:
        return self._call("hit", key, window)

    def peek(self, key: str) -> tuple[int, int]:
        return self._call("peek", key)

    def reset(self, key: str) -> None:
        self._call("reset", key)


@dataclass
class Limiter:
    store: CounterStore

    def check(self, key: str, limit: int, window: int) -> None:
        """Count a hit and raise RateLimited (with Retry-After) past ``limit`` per ``window``."""
        count, reset_in = self.store.hit(key, window)
        if count > limit:
            raise RateLimited(retry_after=reset_in)


def make_store(redis_url: str | None, namespace: str = "") -> CounterStore:
    if redis_url:
        return FallbackStore(RedisStore(redis_url, prefix=f"stoa:{namespace}rl:"))
    return MemoryStore()
