"""PostgreSQL's pool checks a connection only after it sat idle: a connection used moments ago
costs no extra round trip, and one the server dropped while idle is replaced, not an error."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

import portal.db as db_module
from portal.db import make_engine
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"), reason="PostgreSQL's pool"
)


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []
    real = db_module.ping

    def counting(engine: Any, dbapi_conn: Any) -> bool:
        seen.append(dbapi_conn)
        return real(engine, dbapi_conn)

    monkeypatch.setattr(db_module, "ping", counting)
    return seen


def test_a_connection_used_moments_ago_is_not_pinged(pings: list[Any]) -> None:
    engine = make_engine(TEST_DATABASE_URL)
    try:
        for _ in range(3):
            with engine.connect() as conn:
                assert conn.execute(text("SELECT 1")).scalar_one() == 1
        assert pings == []
    finally:
        engine.dispose()


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(
    pings: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(TEST_DATABASE_URL)
    try:
        with engine.connect() as conn:
            first_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        other = make_engine(TEST_DATABASE_URL)  # the server drops the pooled one while idle
        try:
            with other.connect() as killer:
                killer.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first_pid})
        finally:
            other.dispose()
        monkeypatch.setattr(db_module, "PG_PING_IDLE_SECONDS", 0.0)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
            again = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert pings, "an idle connection is checked before use"
        assert again != first_pid
    finally:
        engine.dispose()
