"""Redis unreachable: rate limits and sign-in throttling count in-process; nothing is a 5xx."""

from __future__ import annotations

import time

import pytest

from portal.ratelimit import FallbackStore, make_store
from tests.conftest import PASSWORD
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
    client, runtime, tenants, dead_redis_url, make_key
) -> None:
    runtime.counters = make_store(dead_redis_url, namespace="dead:")
    email = tenants.acme_admin.email
    for _ in range(3):
        bad = client.post("/login", data={"email": email, "password": "wrong"})
        assert bad.status_code < 500
    good = client.post("/login", data={"email": email, "password": PASSWORD})
    assert good.status_code in (302, 303)
    key = make_key()
    resp = client.get("/api/v1/verify", headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
