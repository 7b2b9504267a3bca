"""Database engine and the per-request session.

Services only ``flush``; the request boundary commits once (or rolls back on any error).
Work that must only happen after a successful commit (emails, webhooks, jobs) is queued with
``after_commit`` and runs once the transaction is durable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys and real transactional savepoints."""
    if url.startswith("sqlite"):
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


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
                session.rollback()
                session.info.pop("after_commit", None)
        return response

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.info.pop("after_commit", None)
            session.close()
