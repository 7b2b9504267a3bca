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
from portal.db import SHARED_CONNECTION, make_engine
from portal.migrations import upgrade
from portal.models import Company, Portal, PortalManager, Project, User
from portal.models.throttle import ThrottleCounter
from portal.principal import SESSION_KEY
from portal.ratelimit import CounterStore, MemoryStore, make_shared_store, make_store
from services.accounts.auth import open_session
from services.accounts.users import ADMIN_ROLE, PM_NODES, PM_ROLE, ensure_role, grant_role

TMP = Path(tempfile.mkdtemp(prefix="stoa-tests-"))
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{TMP / 'test.db'}"
PASSWORD = "correct-horse-battery"


def reset_database(url: str) -> None:
    """Empty the test database, then build the schema through the migrations."""
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
        admin = make_engine(TEST_DATABASE_URL).execution_options(isolation_level="AUTOCOMMIT")
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
            "REDIS_URL": os.environ.get("REDIS_URL", ""),
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


# Factories ----------------------------------------------------------------------------------


@pytest.fixture
def make_company(db: Session) -> Callable[..., Company]:
    def make(
        name: str | None = None, *, parent: Company | None = None, **portal_fields: Any
    ) -> Company:
        slug = (name or f"co-{uuid.uuid4().hex[:8]}").lower().replace(" ", "-")
        company = Company(name=name or slug, slug=slug, parent_id=parent.id if parent else None)
        db.add(company)
        db.flush()
        db.add(Portal(company_id=company.id, title=company.name, slug=slug, **portal_fields))
        db.flush()
        return company

    return make


@pytest.fixture
def make_user(db: Session) -> Callable[..., User]:
    hashed = passwords.hash_password(PASSWORD)

    def make(
        company: Company | None = None,
        role: str = "collaborator",
        *,
        staff: str | None = None,
        email: str | None = None,
        assign: list[Company] | None = None,
        **fields: Any,
    ) -> User:
        address = email or f"u{uuid.uuid4().hex[:10]}@example.test"
        user = User(
            email=address,
            name=fields.pop("name", address.split("@")[0].title()),
            password_hash=hashed,
            **fields,
        )
        if staff:
            user.is_staff = True
        else:
            user.company_id = company.id if company else None
            user.client_role = role
        db.add(user)
        db.flush()
        if staff == "admin":
            grant_role(db, user=user, role=ensure_role(db, name=ADMIN_ROLE, permissions=["*"]))
        elif staff == "pm":
            grant_role(db, user=user, role=ensure_role(db, name=PM_ROLE, permissions=PM_NODES))
            for c in assign or []:
                db.add(PortalManager(user_id=user.id, company_id=c.id))  # type: ignore[arg-type]
            db.flush()
        return user

    return make


@pytest.fixture
def make_project(db: Session) -> Callable[..., Project]:
    def make(company: Company, name: str | None = None, **fields: Any) -> Project:
        project = Project(
            company_id=company.id, name=name or f"Project {uuid.uuid4().hex[:6]}", **fields
        )  # type: ignore[arg-type]
        db.add(project)
        db.flush()
        return project

    return make


class Tenants:
    """Two tenants: the Acme group (parent + child) and Globex, with a user of every role."""

    def __init__(
        self,
        make_company: Callable[..., Company],
        make_user: Callable[..., User],
        make_project: Callable[..., Project],
    ) -> None:
        self.acme = make_company("Acme Test")
        self.retail = make_company("Acme Retail Test", parent=self.acme)
        self.globex = make_company("Globex Test")
        self.acme_admin = make_user(self.acme, "admin")
        self.acme_collab = make_user(self.acme, "collaborator")
        self.acme_viewer = make_user(self.acme, "viewer")
        self.retail_admin = make_user(self.retail, "admin")
        self.globex_admin = make_user(self.globex, "admin")
        self.staff_admin = make_user(staff="admin")
        self.pm = make_user(staff="pm", assign=[self.acme])
        self.acme_project = make_project(self.acme, "Acme Website")
        self.retail_project = make_project(self.retail, "Retail Launch")
        self.globex_project = make_project(self.globex, "Globex Intranet")


@pytest.fixture
def tenants(
    make_company: Callable[..., Company],
    make_user: Callable[..., User],
    make_project: Callable[..., Project],
) -> Tenants:
    return Tenants(make_company, make_user, make_project)


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
            if conn is test_connection:
                counter.statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

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
def make_task(db: Session) -> Callable[..., Any]:
    """``make_task(project, title=..., status=..., assignees=[user], **fields)``."""
    from portal.models import Task, TaskAssignee

    def make(project: Project, title: str | None = None, **fields: Any) -> Task:
        assignees = fields.pop("assignees", [])
        task = Task(
            company_id=project.company_id,
            project_id=project.id,  # type: ignore[arg-type]
            title=title or f"Task {uuid.uuid4().hex[:6]}",
            **fields,
        )
        db.add(task)
        db.flush()
        for user in assignees:
            db.add(TaskAssignee(company_id=project.company_id, task_id=task.id, user_id=user.id))  # type: ignore[arg-type]
        db.flush()
        return task

    return make


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
