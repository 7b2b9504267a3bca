"""The page cache as people meet it: a repeat visit is answered at once, and nothing anyone
does is ever hidden by it (portal/web/pagecache.py)."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlmodel import Session, select

from portal import create_app
from portal.migrations import upgrade
from portal.models import Note
from portal.principal import SESSION_KEY
from portal.web.pagecache import CACHE_HEADER
from services.accounts.auth import open_session
from services.demo import load_demo
from tests.conftest import TMP

NOTES = "/p/acme-test/notes"
HX = {"HX-Request": "true"}


def _cache(resp) -> str | None:
    return resp.headers.get(CACHE_HEADER)


@pytest.fixture
def sign_in(client, login):
    """As a browser after sign-in: the first answer settles the session (its CSRF secret, and
    freshness for this address), which the test harness's shortcut sign-in leaves out."""

    def signed_in(user):
        login(user)
        client.get("/p/acme-test/activity")
        return client

    return signed_in


def test_a_repeat_visit_is_answered_from_the_cache(client, sign_in, tenants) -> None:
    sign_in(tenants.acme_admin)
    first = client.get(NOTES)
    again = client.get(NOTES)
    assert (_cache(first), _cache(again)) == ("miss", "hit")
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_a_note_posted_shows_on_the_next_visit(client, sign_in, tenants) -> None:
    sign_in(tenants.acme_admin)
    client.get(NOTES)
    assert _cache(client.get(NOTES)) == "hit"
    resp = client.post(
        NOTES,
        data={
            "body": "Posted after the page was cached",
            "resource_type": "project",
            "resource_id": tenants.acme_project.id,
        },
    )
    assert resp.status_code == 303
    after = client.get(NOTES)
    assert _cache(after) == "miss"
    assert "Posted after the page was cached" in after.get_data(as_text=True)


def test_a_hard_reload_renders_afresh(client, sign_in, tenants) -> None:
    sign_in(tenants.acme_admin)
    client.get(NOTES)
    assert _cache(client.get(NOTES, headers={"Cache-Control": "no-cache"})) == "miss"
    assert _cache(client.get(NOTES, headers={"Pragma": "no-cache"})) == "miss"
    assert _cache(client.get(NOTES, headers={"Cache-Control": "max-age=0"})) == "hit"


def test_the_fragment_and_the_whole_page_are_kept_apart(client, sign_in, tenants) -> None:
    sign_in(tenants.acme_admin)
    for _ in range(2):
        full, part = client.get(NOTES), client.get(NOTES, headers=HX)
        assert b"<html" in full.data and b"<html" not in part.data
    assert _cache(full) == _cache(part) == "hit"


def test_two_devices_of_one_person_never_share_an_answer(app, db, client, sign_in, tenants) -> None:
    sign_in(tenants.acme_admin)
    client.get(NOTES)
    assert _cache(client.get(NOTES)) == "hit"
    phone = app.test_client()
    with phone.session_transaction() as sess:  # a second sign-in: its own server-side session
        sess["_user_id"] = tenants.acme_admin.get_id()
        sess["_fresh"] = True
        sess[SESSION_KEY] = open_session(db, user=tenants.acme_admin)
    db.flush()
    phone.get("/p/acme-test/activity")
    first = phone.get(NOTES)
    assert first.status_code == 200 and _cache(first) == "miss"
    assert _cache(phone.get(NOTES)) == "hit"


def test_a_foreign_portal_stays_a_404_and_is_never_kept(client, sign_in, tenants) -> None:
    sign_in(tenants.acme_admin)
    for _ in range(2):
        resp = client.get("/p/globex-test/notes")
        assert resp.status_code == 404 and _cache(resp) in (None, "miss")


def test_a_lost_role_shows_at_once(client, db, sign_in, tenants) -> None:
    sign_in(tenants.acme_collab)
    client.get(NOTES)
    assert 'name="body"' in client.get(NOTES).get_data(as_text=True)  # may write: a form
    tenants.acme_collab.client_role = "viewer"
    db.add(tenants.acme_collab)
    db.flush()
    assert 'name="body"' not in client.get(NOTES).get_data(as_text=True)


def test_a_deactivated_person_is_signed_out_not_served(client, db, sign_in, tenants) -> None:
    sign_in(tenants.acme_admin)
    client.get(NOTES)
    assert _cache(client.get(NOTES)) == "hit"
    tenants.acme_admin.is_active = False
    db.add(tenants.acme_admin)
    db.flush()
    resp = client.get(NOTES)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_pages_not_marked_are_never_cached(client, sign_in, tenants) -> None:
    sign_in(tenants.acme_admin)
    for _ in range(2):
        resp = client.get("/p/acme-test/team")
        assert resp.status_code == 200 and _cache(resp) is None


def test_the_query_bounds_still_count_a_render(client, sign_in, tenants, count_queries) -> None:
    sign_in(tenants.acme_admin)
    client.get(NOTES)
    with count_queries() as q:
        resp = client.get(NOTES)
    assert _cache(resp) is None or _cache(resp) == "miss"
    assert q.count > 0


# Real commits, as in production: two workers (two apps) on one database ------------------------


def _sign_in(client, email: str) -> str:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    resp = client.post(
        "/login", data={"email": email, "password": "stoa-demo", "csrf_token": token}
    )
    assert resp.status_code in (302, 303)
    page = client.get("/p/acme/notes").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _app(url: str, instance: str, redis_url: str = "", namespace: str = ""):
    return create_app(
        {
            "RATELIMIT_NAMESPACE": namespace,
            "DATABASE_URL": url,
            "SECRET_KEY": "two-workers-secret",
            "STOA_ENV": "test",
            "INSTANCE_PATH": instance,
            "JOBS_IN_PROCESS": True,
            "REDIS_URL": redis_url,
        }
    )


@pytest.fixture(scope="module")
def database_url() -> str:
    url = f"sqlite:///{TMP / f'pagecache-{uuid.uuid4().hex[:6]}.db'}"
    upgrade(url)
    app = _app(url, str(TMP / f"pagecache-seed-{uuid.uuid4().hex[:6]}"))
    with app.app_context(), Session(app.extensions["stoa_db"].engine) as session:
        load_demo(session)
        session.commit()
    app.extensions["stoa_db"].engine.dispose()
    return url


def _two_workers(database_url: str, redis_url: str = ""):
    if redis_url:  # two hosts: nothing shared but the database and Redis
        folders = [str(TMP / f"host-{uuid.uuid4().hex[:6]}") for _ in range(2)]
    else:  # two workers of one host: one instance folder
        folders = [str(TMP / f"host-{uuid.uuid4().hex[:6]}")] * 2
    space = f"t{uuid.uuid4().hex[:8]}:"  # this pair's own keys on the shared Redis
    return [_app(database_url, folder, redis_url, space) for folder in folders]


@pytest.mark.parametrize("shared", ["one host", "two hosts with Redis"])
def test_a_write_on_one_worker_is_seen_on_the_other_at_once(database_url, shared) -> None:
    import os

    redis_url = ""
    if shared != "one host":
        redis_url = os.environ.get("REDIS_URL", "")
        if not redis_url:
            pytest.skip("needs REDIS_URL (CI sets it)")
    reader_app, writer_app = _two_workers(database_url, redis_url)
    reader, writer = reader_app.test_client(), writer_app.test_client()
    _sign_in(reader, "dev@acme.test")
    token = _sign_in(writer, "owner@acme.test")
    reader.get("/p/acme/notes")
    assert _cache(reader.get("/p/acme/notes")) == "hit"
    with Session(writer_app.extensions["stoa_db"].engine) as session:
        project = session.exec(
            select(Note.resource_id).where(Note.resource_type == "project")
        ).first()
    body = f"Seen everywhere {uuid.uuid4().hex[:6]}"
    resp = writer.post(
        "/p/acme/notes",
        data={"body": body, "resource_type": "project", "resource_id": project},
        headers={"X-CSRFToken": token},
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)[:300]
    after = reader.get("/p/acme/notes")
    assert _cache(after) == "miss" and body in after.get_data(as_text=True)
    for a in (reader_app, writer_app):
        a.extensions["stoa_db"].engine.dispose()


def test_a_write_outside_any_request_is_seen_too(database_url) -> None:
    """A background job or a CLI command: a session of its own, committed."""
    (app,) = _two_workers(database_url)[:1]
    client = app.test_client()
    _sign_in(client, "dev@acme.test")
    client.get("/p/acme/notes")
    assert _cache(client.get("/p/acme/notes")) == "hit"
    with app.app_context(), Session(app.extensions["stoa_db"].engine) as session:
        note = session.exec(select(Note).where(Note.parent_id.is_(None))).first()
        note.body = "Rewritten by a job"
        session.add(note)
        session.commit()
    after = client.get("/p/acme/notes")
    assert _cache(after) == "miss" and "Rewritten by a job" in after.get_data(as_text=True)
    app.extensions["stoa_db"].engine.dispose()


def test_page_cache_seconds_in_the_environment_switches_it_off(database_url, monkeypatch) -> None:
    """How gunicorn is told (deploy/, ``stoa bench``): ``PAGE_CACHE_SECONDS=0`` in the
    environment, and every visit renders."""
    monkeypatch.setenv("PAGE_CACHE_SECONDS", "0")
    (app,) = _two_workers(database_url)[:1]
    client = app.test_client()
    _sign_in(client, "dev@acme.test")
    first, again = client.get("/p/acme/notes"), client.get("/p/acme/notes")
    assert again.status_code == 200 and _cache(first) is None and _cache(again) is None
    app.extensions["stoa_db"].engine.dispose()
