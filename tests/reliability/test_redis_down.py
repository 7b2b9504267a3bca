"""Redis unreachable: rate limits count in-process, sign-in throttling in the database;
nothing is a 5xx."""

from __future__ import annotations

import time
import uuid

import pytest

from portal.ratelimit import FallbackStore, RedisStore, make_store
from services.accounts.auth import ACCOUNT_IP_LIMIT
from tests.conftest import PASSWORD, shared_store
from tests.live import free_port


@pytest.fixture
def dead_redis_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


def test_counters_fall_back_and_stop_waiting_on_a_dead_redis(dead_redis_url) -> None:
    store = make_store(dead_redis_url, namespace="dead:")
    assert isinstance(store, FallbackStore)
    started = time.monotonic()
    assert store.hit("k", 60)[0] == 1
    assert [store.hit("k", 60)[0] for _ in range(20)][-1] == 21
    assert store.peek("k")[0] == 21
    # one failed attempt, then Redis is left alone for a while: no timeout per request
    assert time.monotonic() - started < 2


def test_sign_in_and_the_api_answer_while_redis_is_down(
    client, engine, runtime, tenants, dead_redis_url, make_key
) -> None:
    runtime.counters = make_store(dead_redis_url, namespace="dead:")
    # sign-in throttling falls back to the database (in-process on SQLite: see shared_store)
    runtime.throttle = FallbackStore(
        RedisStore(dead_redis_url), shared_store(engine, None, f"dead{uuid.uuid4().hex[:8]}:")
    )
    email = tenants.acme_admin.email
    statuses = [
        client.post("/login", data={"email": email, "password": "wrong"}).status_code
        for _ in range(ACCOUNT_IP_LIMIT + 1)
    ]
    assert statuses == [422] * ACCOUNT_IP_LIMIT + [429]  # still counted, still limited
    other = tenants.acme_collab.email
    good = client.post("/login", data={"email": other, "password": PASSWORD})
    assert good.status_code in (302, 303)
    key = make_key()
    resp = client.get("/api/v1/verify", headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
