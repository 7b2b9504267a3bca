"""Shared fixtures: schema once per run, a rolled-back transaction per test, factories,
query counting, login helpers. Browser fixtures live in tests/e2e/conftest.py."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from portal import create_app, passwords
from portal.db import BOOKKEEPING, SHARED_CONNECTION, make_engine
from portal.migrations import upgrade
from portal.models import User
from portal.models.throttle import ThrottleCounter
from portal.principal import SESSION_KEY
from portal.ratelimit import CounterStore, MemoryStore, make_shared_store, make_store
from services.accounts.auth import open_session
from tests.factories import (  # noqa: F401 - fixtures, found by name
    PASSWORD,
    Tenants,
    make_company,
    make_project,
    make_task,
    make_user,
    tenants,
)

TMP = Path(tempfile.mkdtemp(prefix="stoa-tests-"))
# pytest-xdist: each worker process (gw0, gw1, …) gets its own database beside the configured one,
# so parallel workers never wipe or lock each other's rows (TMP is per process already).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_url(url: str) -> str:
    if not WORKER or not url.startswith("postgresql"):
        return url
    base, name = url.rsplit("/", 1)
    return f"{base}/{name}_{WORKER}"


TEST_DATABASE_URL = _worker_url(os.environ.get("TEST_DATABASE_URL", "")) or (
    f"sqlite:///{TMP / 'test.db'}"
)


def _ensure_database(url: str) -> None:
    """Create a worker's PostgreSQL database on first use (the configured one must exist)."""
    base, name = url.rsplit("/", 1)
    admin = make_engine(f"{base}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if found.first() is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def reset_database(url: str) -> None:
    """Empty the test database, then build the schema through the migrations."""
    if url.startswith("postgresql") and url == TEST_DATABASE_URL and WORKER:
        _ensure_database(url)
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)


def scratch_database_url(prefix: str) -> tuple[str, Callable[[], None]]:
    """A new empty database beside the test one (PostgreSQL) or a new SQLite file; and a dropper."""
    if TEST_DATABASE_URL.startswith("postgresql"):
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        server = TEST_DATABASE_URL.rsplit("/", 1)[0]
        admin = make_engine(f"{server}/postgres").execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        return TEST_DATABASE_URL.rsplit("/", 1)[0] + f"/{name}", drop
    return f"sqlite:///{TMP / f'{prefix}-{uuid.uuid4().hex[:6]}.db'}", lambda: None


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    reset_database(TEST_DATABASE_URL)
    eng = make_engine(TEST_DATABASE_URL)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def app(engine: Engine) -> Flask:
    passwords.configure(fast=True)
    application = create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": TEST_DATABASE_URL,
            "INSTANCE_PATH": str(TMP / "instance"),
            "SECRET_KEY": "test-secret-key",
            "STOA_ENV": "test",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "JOBS_IN_PROCESS": True,
            "JOBS_RUN_INLINE": True,  # one shared connection: jobs must not run beside requests
            "REDIS_URL": os.environ.get("REDIS_URL", ""),
            # this test process's own keys on the shared Redis (the page cache's data version)
            "RATELIMIT_NAMESPACE": f"p{uuid.uuid4().hex[:8]}:",
        }
    )
    return application


def shared_store(engine: Engine, redis_url: str | None, namespace: str) -> CounterStore:
    """Sign-in counters for one test, as in production (Redis, else the database) — except on
    SQLite, where the test's open transaction holds the one write lock: in-process there."""
    if redis_url or engine.dialect.name == "postgresql":
        return make_shared_store(redis_url, engine, namespace)
    return MemoryStore()


@pytest.fixture
def db(app: Flask, engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test.

    Requests made by the test client get their own sessions on the same connection, so they
    see the test's rows, and their commits become savepoints.
    """
    conn = engine.connect()
    conn.info[SHARED_CONNECTION] = True  # SQLite: never re-begin this outer transaction
    trans = conn.begin()

    def factory() -> Session:
        return Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)

    database = app.extensions["stoa_db"]
    original = database.session_factory
    database.session_factory = factory
    runtime = app.extensions["stoa_runtime"]
    original_counters, original_throttle = runtime.counters, runtime.throttle
    namespace = f"t{uuid.uuid4().hex[:10]}:"
    runtime.counters = make_store(os.environ.get("REDIS_URL") or None, namespace=namespace)
    runtime.throttle = shared_store(engine, os.environ.get("REDIS_URL") or None, namespace)
    session = factory()
    # No app context is held here: each test-client request must push (and tear down) its own.
    yield session
    session.close()
    database.session_factory = original
    runtime.counters, runtime.throttle = original_counters, original_throttle
    if engine.dialect.name == "postgresql":
        with engine.begin() as other:
            other.execute(delete(ThrottleCounter).where(ThrottleCounter.key.startswith(namespace)))
    trans.rollback()
    conn.info.pop(SHARED_CONNECTION, None)
    conn.close()


@pytest.fixture
def client(app: Flask, db: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runtime(app: Flask, db: Session) -> Any:
    return app.extensions["stoa_runtime"]


# Helpers ------------------------------------------------------------------------------------


@pytest.fixture
def login(client: FlaskClient, db: Session) -> Callable[[User], FlaskClient]:
    """Sign a user in on the test client (session cookie, as flask-login would)."""

    def sign_in(user: User) -> FlaskClient:
        key = open_session(db, user=user)  # the server-side session sign-in opens
        with client.session_transaction() as sess:
            sess.clear()
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            sess[SESSION_KEY] = key
        return client

    return sign_in


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(
            [
                s
                for s in self.statements
                if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))
            ]
        )


@pytest.fixture
def count_queries(app: Flask, engine: Engine, db: Session) -> Callable[[], Any]:
    """``with count_queries() as q: ...; assert q.count <= N`` (savepoints are not counted).

    Only the statements of the test's own connection count (what the requests run), never a
    background thread's; the app's branding cache is read fresh on entry, so it cannot expire
    (and cost a query) in the middle of a counted block.
    """
    test_connection = db.connection()

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        app.extensions["stoa_agency"].refresh(db)

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            context = args[1] if len(args) > 1 else None
            if context is not None and context.execution_options.get(BOOKKEEPING):
                return  # a key's last use, written at most once a minute: not the page's work
            if conn is test_connection:
                counter.statements.append(statement)

        # a bound is on what a render costs: no answer from the page cache while counting
        cache = app.extensions["stoa_page_cache"]
        was_enabled, cache.enabled = cache.enabled, False
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)
            cache.enabled = was_enabled

    return counting


def assert_both_ways(client: FlaskClient, url: str) -> tuple[str, str]:
    """An HTMX URL renders a whole document without HX-Request and a fragment with it."""
    full = client.get(url)
    assert full.status_code == 200, (url, full.status_code)
    assert b"<html" in full.data and b"</html>" in full.data
    assert "HX-Request" in full.headers.get("Vary", "")
    part = client.get(url, headers={"HX-Request": "true"})
    assert part.status_code == 200, (url, part.status_code)
    assert b"<html" not in part.data and b"<body" not in part.data
    assert "HX-Request" in part.headers.get("Vary", "")
    return full.get_data(as_text=True), part.get_data(as_text=True)


@pytest.fixture
def mailbox(app: Flask, db: Session) -> Any:
    """The messages delivered during this test (tests/mailbox.py)."""
    from tests.mailbox import Mailbox

    return Mailbox(app.config["STOA_SETTINGS"].outbox_dir)


@pytest.fixture
def allow_private_webhooks(runtime: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator's opt-in for internal receivers: the local receiver listens on 127.0.0.1."""
    monkeypatch.setitem(runtime.settings.extra, "WEBHOOK_ALLOW_PRIVATE", True)


@pytest.fixture
def webhook_receiver() -> Iterator[Any]:
    """A local HTTP endpoint recording webhook deliveries (tests/webhook_receiver.py)."""
    from tests.webhook_receiver import Receiver

    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def settle_jobs(db: Session) -> Iterator[Any]:
    """Wait for in-process delayed jobs (webhook deliveries) before the test's rollback."""
    from portal.jobs import wait_for_delayed_jobs

    yield wait_for_delayed_jobs
    wait_for_delayed_jobs(30)
