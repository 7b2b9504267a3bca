"""Database engine and the per-request session.

Services only ``flush``; the request boundary commits once (or rolls back on any error).
Work that must only happen after a successful commit (emails, webhooks, jobs) is queued with
``after_commit`` and runs once the transaction is durable.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)


# How long a SQLite writer waits for the write lock before the request answers 503.
SQLITE_BUSY_SECONDS = 10
# Statements that need SQLite's write lock (a SAVEPOINT too: writes usually follow it, and the
# lock cannot be taken inside one without ending the savepoint).
_SQLITE_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|SAVEPOINT)\b", re.IGNORECASE)
# PostgreSQL: how long to wait for a connection, a pooled connection, and a statement.
PG_CONNECT_SECONDS = 5
PG_POOL_WAIT_SECONDS = 10
PG_STATEMENT_MS = 30_000
# A pooled connection idle longer than this is pinged before use (a restarted or failed-over
# server, a proxy's idle cut). One used moments ago is not: a ping on every checkout was one
# more round trip on every request (SQLAlchemy's ``pool_pre_ping``).
PG_PING_IDLE_SECONDS = 10.0
_RETURNED_AT = "stoa_returned_at"
# Set on a DBAPI connection whose transaction must never be ended behind its back (the test
# suite runs every test inside one outer transaction on one connection).
SHARED_CONNECTION = "stoa_shared_connection"


def make_engine(url: str, *, sqlite_busy_seconds: float = SQLITE_BUSY_SECONDS) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL, savepoints and a write-lock policy."""
    if url.startswith("sqlite"):
        kwargs: dict[str, Any] = {
            "connect_args": {"check_same_thread": False, "timeout": sqlite_busy_seconds}
        }
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)
        _sqlite_policy(engine)
        return engine
    # A database that is down or frozen must not hold a request: short connect and pool
    # waits, and no statement runs longer than a request may.
    engine = create_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_timeout=PG_POOL_WAIT_SECONDS,
        connect_args={
            "connect_timeout": PG_CONNECT_SECONDS,
            "options": f"-c statement_timeout={PG_STATEMENT_MS}",
        },
    )
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it sat idle ``PG_PING_IDLE_SECONDS``.

    A dead one raises ``DisconnectionError`` and the pool replaces it with a fresh connection
    (SQLAlchemy's pessimistic-disconnect recipe), so a restarted database costs no request.
    """

    @event.listens_for(engine.pool, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned < PG_PING_IDLE_SECONDS:
            return  # a new connection, or one used moments ago
        if not ping(engine, dbapi_conn):
            raise DisconnectionError("pooled connection is gone")


def ping(engine: Engine, dbapi_conn: Any) -> bool:
    """One round trip: is this DBAPI connection alive?"""
    try:
        return bool(engine.dialect.do_ping(dbapi_conn))
    except Exception:  # any failure means: do not use this connection
        return False


def _sqlite_policy(engine: Engine) -> None:
    """Transactions begin as readers and take the write lock (waiting for it) at their first write.

    In WAL mode a reader that tries to become a writer after someone else committed fails at
    once with "database is locked" (no waiting), which made most concurrent writes fail. So a
    transaction that has only read re-begins as ``BEGIN IMMEDIATE`` right before its first
    write: that waits for the lock, then writes. Reads before that point see committed data
    (read-committed, as on PostgreSQL). Long reads and uploads never hold the lock.
    """

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint; safe with WAL
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")
        conn.info["stoa_write_lock"] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _sqlite_take_write_lock(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if conn.info.get("stoa_write_lock", True) or conn.info.get(SHARED_CONNECTION):
            return
        if not _SQLITE_WRITE.match(statement):
            return
        conn.info["stoa_write_lock"] = True
        cursor.execute("COMMIT")  # ends a transaction that has only read
        cursor.execute("BEGIN IMMEDIATE")


def is_database_busy(exc: BaseException) -> bool:
    """SQLite's write lock could not be had in time."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def is_database_unavailable(exc: BaseException) -> bool:
    """The database is down, unreachable, overloaded or timed out: worth retrying later."""
    return isinstance(exc, OperationalError | PoolTimeout)


class Database:
    """Holds the engine and the session factory for one app (tests may swap the factory)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session_factory: Callable[[], Session] = lambda: Session(
            engine, expire_on_commit=False
        )


def get_db(app: Flask | None = None) -> Database:
    from flask import current_app

    return (app or current_app).extensions["stoa_db"]


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = get_db().session_factory()
    return g.db_session


# Execution option of statements that record bookkeeping outside the request's own work (a
# credential's last use): query-count bounds leave them out.
BOOKKEEPING = "stoa_bookkeeping"


def after_commit(session: Session, fn: Callable[[], None]) -> None:
    """Run ``fn`` after ``session`` commits; dropped if it rolls back."""
    session.info.setdefault("after_commit", []).append(fn)


def run_after_commit(session: Session) -> None:
    callbacks = session.info.pop("after_commit", [])
    for fn in callbacks:
        try:
            fn()
        except Exception:  # a failed side effect must not fail the committed request
            log.exception("after-commit callback failed")


def commit(session: Session) -> None:
    """Commit and then run the queued after-commit work."""
    session.commit()
    run_after_commit(session)


def rollback(session: Session) -> None:
    """Undo the transaction and drop its after-commit work."""
    session.rollback()
    session.info.pop("after_commit", None)


def database_down() -> bool:
    """This request found the database unavailable: render without touching it again."""
    return bool(g.get("database_down"))


def reset_request_session() -> None:
    """Before an error page renders: the request's failed transaction must not break it."""
    session: Session | None = g.get("db_session")
    if session is not None:
        try:
            rollback(session)
        except Exception:  # the connection itself may be gone; a fresh session is opened
            log.warning("could not roll back the request session", exc_info=True)
            g.pop("db_session", None)
            session.close()


def init_app(app: Flask, engine: Engine) -> None:
    app.extensions["stoa_db"] = Database(engine)

    @app.after_request
    def _commit_session(response: Any) -> Any:
        # One commit per request, before the response leaves: a failed commit is a failed request.
        session: Session | None = g.get("db_session")
        if session is not None:
            if response.status_code < 400:
                commit(session)
            else:
                rollback(session)
        return response

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.info.pop("after_commit", None)
            session.close()
