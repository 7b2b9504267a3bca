"""Fixed-window counters for rate limits and sign-in throttling.

Rate limits: Redis when ``REDIS_URL`` is set (shared by every worker), an in-process dict
otherwise. Sign-in throttling must be shared by every worker, always: Redis, or the database
(:class:`SqlStore`) without it. When Redis stops answering, counting falls back (short
timeouts, then a pause before Redis is tried again) — a limiter never turns a request into an
error. Every store counts a hit and returns the new count in one atomic step (``INCR``, an
UPSERT), so parallel requests each see their own count: hit first, then compare.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from redis.exceptions import RedisError
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from portal.errors import RateLimited
from portal.models.base import utcnow
from portal.models.throttle import ThrottleCounter

log = logging.getLogger(__name__)


class CounterStore(Protocol):
    def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one hit; return (hits in the current window, seconds until it resets)."""

    def peek(self, key: str) -> tuple[int, int]: ...

    def give_back(self, key: str) -> None:
        """Undo one hit (never below zero): an attempt that turned out not to count."""

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

    def give_back(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            item = self._current(key, now)
            if item and item[0] > 0:
                self._data[key] = (item[0] - 1, item[1])

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
        self._give_back = self._redis.register_script(
            "if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then "
            "return redis.call('DECR', KEYS[1]) end return 0"
        )

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

    def give_back(self, key: str) -> None:
        # DECR only a live, positive counter (a script: one atomic step)
        self._give_back(keys=[self._prefix + key])

    def reset(self, key: str) -> None:
        self._redis.delete(self._prefix + key)


class SqlStore:
    """Counters in the ``throttle_counter`` table, for every worker without Redis.

    Each call is its own short transaction on its own connection, committed at once: a count
    must survive the request's rollback (a failed sign-in answers 422) and be seen at once by
    the other workers. A hit is one UPSERT that returns the new count.
    """

    def __init__(self, engine: Engine, prefix: str = "") -> None:
        self._engine = engine
        self._prefix = prefix
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def hit(self, key: str, window: int) -> tuple[int, int]:
        now = utcnow()
        table = ThrottleCounter.__table__  # type: ignore[attr-defined]
        insert = self._insert(table).values(
            key=self._prefix + key, hits=1, window_ends_at=now + timedelta(seconds=window)
        )
        expired = table.c.window_ends_at <= now
        upsert = insert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "hits": case((expired, 1), else_=table.c.hits + 1),
                "window_ends_at": case(
                    (expired, insert.excluded.window_ends_at), else_=table.c.window_ends_at
                ),
            },
        ).returning(table.c.hits, table.c.window_ends_at)
        with self._engine.begin() as conn:
            count, ends = conn.execute(upsert).one()
        if count == 1:  # a new window: expired ones go, in a transaction of their own
            self._purge(now)
        return int(count), max(1, int((ends - now).total_seconds()))

    def _purge(self, now: datetime) -> None:
        table = ThrottleCounter.__table__  # type: ignore[attr-defined]
        try:
            with self._engine.begin() as conn:
                conn.execute(delete(table).where(table.c.window_ends_at <= now))
        except DBAPIError:  # housekeeping only: another worker purging at once is fine
            log.info("throttle counters not purged this time", exc_info=True)

    def peek(self, key: str) -> tuple[int, int]:
        now = utcnow()
        table = ThrottleCounter.__table__  # type: ignore[attr-defined]
        with self._engine.connect() as conn:
            row = conn.execute(
                select(table.c.hits, table.c.window_ends_at).where(
                    table.c.key == self._prefix + key, table.c.window_ends_at > now
                )
            ).first()
        if row is None or row[0] <= 0:
            return 0, 0
        return int(row[0]), max(1, int((row[1] - now).total_seconds()))

    def give_back(self, key: str) -> None:
        table = ThrottleCounter.__table__  # type: ignore[attr-defined]
        with self._engine.begin() as conn:
            conn.execute(
                update(table)
                .where(table.c.key == self._prefix + key, table.c.hits > 0)
                .values(hits=table.c.hits - 1)
            )

    def reset(self, key: str) -> None:
        table = ThrottleCounter.__table__  # type: ignore[attr-defined]
        with self._engine.begin() as conn:
            conn.execute(delete(table).where(table.c.key == self._prefix + key))


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

    def give_back(self, key: str) -> None:
        self._call("give_back", key)

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


def make_shared_store(redis_url: str | None, engine: Engine, namespace: str = "") -> CounterStore:
    """Counters every worker shares: Redis (the database while Redis is down), or the database."""
    in_database = SqlStore(engine, prefix=namespace)
    if redis_url:
        return FallbackStore(RedisStore(redis_url, prefix=f"stoa:{namespace}rl:"), in_database)
    return in_database
