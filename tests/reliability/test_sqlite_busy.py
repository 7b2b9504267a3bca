"""When SQLite's write lock cannot be had in time: 503 with Retry-After, nothing half-written,
and the error page itself renders (the failed transaction is rolled back first)."""

from __future__ import annotations

import re
import sqlite3
import uuid

import pytest
from sqlmodel import Session, select

from portal import create_app
from portal.migrations import upgrade
from portal.models import Note, Portal, Project
from services.demo import load_demo
from tests.conftest import TMP


@pytest.fixture
def busy_app():
    path = TMP / f"busy-{uuid.uuid4().hex[:6]}.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "busy-secret",
            "STOA_ENV": "test",
            "INSTANCE_PATH": str(TMP / "busy-instance"),
            "JOBS_IN_PROCESS": True,
            "SQLITE_BUSY_SECONDS": 0.2,
            "REDIS_URL": "",
        }
    )
    with app.app_context(), Session(app.extensions["stoa_db"].engine) as session:
        load_demo(session)
        session.commit()
    yield app, path
    app.extensions["stoa_db"].engine.dispose()


def _signed_in(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    resp = client.post(
        "/login", data={"email": "dev@acme.test", "password": "stoa-demo", "csrf_token": token}
    )
    assert resp.status_code in (302, 303)
    page = client.get("/p/acme/notes").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return client, {"X-CSRFToken": token}


def _project(app) -> int:
    with Session(app.extensions["stoa_db"].engine) as session:
        return session.exec(
            select(Project.id)
            .join(Portal, Portal.company_id == Project.company_id)
            .where(Portal.slug == "acme")
            .order_by(Project.id)
        ).first()


def _notes(app) -> int:
    with Session(app.extensions["stoa_db"].engine) as session:
        return len(session.exec(select(Note.id)).all())


def test_a_write_that_cannot_get_the_lock_is_a_503_and_writes_nothing(busy_app) -> None:
    app, path = busy_app
    client, headers = _signed_in(app)
    before = _notes(app)
    note = {"resource_type": "project", "resource_id": _project(app)}
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # someone else is writing, for longer than we wait
    try:
        resp = client.post("/p/acme/notes", data={**note, "body": "while locked"}, headers=headers)
        assert resp.status_code == 503
        assert resp.headers["Retry-After"] == "2"
        assert "Nothing was changed" in resp.get_data(as_text=True)
        htmx = {**headers, "HX-Request": "true"}
        part = client.post("/p/acme/notes", data={**note, "body": "again"}, headers=htmx)
        assert part.status_code == 503 and b"<html" not in part.data
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _notes(app) == before
    resp = client.post("/p/acme/notes", data={**note, "body": "after the lock"}, headers=headers)
    assert resp.status_code in (200, 303), resp.status_code
    assert _notes(app) == before + 1
