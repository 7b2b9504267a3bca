"""The shared counter stores behind sign-in throttling: one hit is one increment, however
many threads (or workers) hit at once, and the count is returned by the same atomic step."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, update

from portal.models.base import utcnow
from portal.models.throttle import ThrottleCounter
from portal.ratelimit import CounterStore, MemoryStore, RedisStore, SqlStore

THREADS = 16


@pytest.fixture(params=["sql", "redis", "memory"])
def store(request, engine) -> Iterator[CounterStore]:
    prefix = f"t{uuid.uuid4().hex[:8]}:"
    if request.param == "sql":
        yield SqlStore(engine, prefix=prefix)
        with engine.begin() as conn:
            conn.execute(delete(ThrottleCounter).where(ThrottleCounter.key.startswith(prefix)))
    elif request.param == "redis":
        url = os.environ.get("REDIS_URL") or ""
        if not url:  # no Redis here: the in-process store stands in, the test still runs
            yield MemoryStore()
            return
        yield RedisStore(url, prefix=prefix)
    else:
        yield MemoryStore()


def test_parallel_hits_each_get_their_own_count(store) -> None:
    counts: list[int] = []
    start = threading.Barrier(THREADS)

    def hit() -> None:
        start.wait()
        counts.append(store.hit("k", 60)[0])

    threads = [threading.Thread(target=hit) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == list(range(1, THREADS + 1))
    assert store.peek("k")[0] == THREADS


def test_give_back_and_reset(store) -> None:
    assert store.hit("k", 60)[0] == 1
    assert store.hit("k", 60)[0] == 2
    store.give_back("k")
    assert store.peek("k")[0] == 1
    store.reset("k")
    assert store.peek("k") == (0, 0)
    store.give_back("k")  # nothing to give back: never below zero
    assert store.hit("k", 60)[0] == 1


def test_an_expired_window_starts_again(engine) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}:"
    store = SqlStore(engine, prefix=prefix)
    try:
        for _ in range(3):
            store.hit("k", 60)
        with engine.begin() as conn:
            conn.execute(
                update(ThrottleCounter)
                .where(ThrottleCounter.key == f"{prefix}k")
                .values(window_ends_at=utcnow())
            )
        assert store.peek("k") == (0, 0)
        count, reset_in = store.hit("k", 60)
        assert count == 1 and 55 <= reset_in <= 60
    finally:
        with engine.begin() as conn:
            conn.execute(delete(ThrottleCounter).where(ThrottleCounter.key.startswith(prefix)))
