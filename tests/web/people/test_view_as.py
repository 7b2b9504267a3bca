"""View as client: staff see a portal as one client user sees it; every write refused; audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, select

from portal.models import ActivityLog, Notification
from tests.web.probe import ARG_RESOLVERS, WRITE_METHODS, build_path, nonexistent

EXITS = {"view_as.stop", "auth.logout"}


@pytest.fixture
def world(probe_world):
    return probe_world


def _row_counts(db) -> dict[str, int]:
    return {
        table.name: db.execute(sa_select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
    }


def _view_as(client, login, staff, user) -> None:
    login(staff)
    resp = client.post(f"/admin/people/{user.id}/view-as")
    assert resp.status_code == 303, resp.status_code
    assert resp.headers["Location"].startswith("/p/")


def test_staff_see_the_portal_as_the_client_with_a_banner(client, login, world, db) -> None:
    _view_as(client, login, world.staff_admin, world.acme_viewer)
    html = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    assert 'id="view-as-banner"' in html
    assert world.acme_viewer.display_name in html
    assert "Switch portal" in html  # the client's own switcher (Acme has a child), not staff's
    assert "All portals" not in html
    # as the viewer: no invite form, staff pages gone
    assert "Send invitation" not in client.get("/p/acme-test/settings").get_data(as_text=True)
    assert client.get("/admin/people/").status_code == 404
    [started] = db.exec(select(ActivityLog).where(ActivityLog.action == "view_as_started")).all()
    assert started.actor_id == world.staff_admin.id and started.object_id == world.acme_viewer.id


def test_get_pages_show_the_banner(app, client, login, world) -> None:
    """Every portal page (full pages; fragments have no layout) carries the banner."""
    _view_as(client, login, world.staff_admin, world.acme_admin)
    pages = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/p/<slug>/") or "GET" not in (rule.methods or ()):
            continue
        if any(a not in ARG_RESOLVERS for a in rule.arguments):
            continue
        path = build_path(rule.rule, {a: ARG_RESOLVERS[a](world) for a in rule.arguments})
        resp = client.get(path)
        ctype = resp.headers.get("Content-Type", "")
        body = resp.get_data(as_text=True) if ctype.startswith("text/html") else ""
        if resp.status_code == 200 and body.startswith("<!doctype html>"):
            assert 'id="view-as-banner"' in body, path
            pages += 1
        resp.close()
    assert pages > 20


def test_every_write_route_is_refused_while_viewing_as(app, client, login, world, db) -> None:
    """Walk the whole route table: every write (HTML, HTMX and API) answers 403 and leaves no
    row behind — the one request hook refuses them before any view runs."""
    _view_as(client, login, world.staff_admin, world.acme_admin)
    before = _row_counts(db)
    walked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXITS:
            continue
        for method in sorted((rule.methods or set()) & WRITE_METHODS):
            values = {
                a: ARG_RESOLVERS[a](world) if a in ARG_RESOLVERS else nonexistent(a)
                for a in rule.arguments
            }
            path = build_path(rule.rule, values)
            for headers in ({}, {"HX-Request": "true"}):
                resp = client.open(path, method=method, data={}, headers=headers)
                assert resp.status_code == 403, (method, path, resp.status_code)
                walked += 1
    assert walked > 100
    assert _row_counts(db) == before


def test_a_page_that_writes_on_get_leaves_no_trace(client, login, world, db) -> None:
    """Opening a notification marks it read — not while staff merely look as its owner."""
    _view_as(client, login, world.staff_admin, world.acme_admin)
    note = world.acme_notification
    assert client.get(f"/notifications/{note.id}/go").status_code == 302
    db.refresh(note)
    assert db.get(Notification, note.id).read_at is None


def test_exit_returns_to_staff_and_is_audited(client, login, world, db) -> None:
    _view_as(client, login, world.staff_admin, world.acme_viewer)
    resp = client.post("/view-as/exit")
    assert resp.status_code == 303
    assert "/admin/people/" in resp.headers["Location"]
    html = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    assert 'id="view-as-banner"' not in html and "All portals" in html
    assert client.get("/admin/people/").status_code == 200
    stops = db.exec(select(ActivityLog).where(ActivityLog.action == "view_as_stopped")).all()
    assert len(stops) == 1


def test_the_audit_rows_stay_with_staff(client, login, world) -> None:
    _view_as(client, login, world.staff_admin, world.acme_viewer)
    client.post("/view-as/exit")
    login(world.acme_admin)
    html = client.get("/p/acme-test/activity").get_data(as_text=True)
    assert "viewing the portal as" not in html


def test_a_pm_views_only_its_portals_people(client, login, world) -> None:
    login(world.globex_pm)
    assert client.post(f"/admin/people/{world.acme_viewer.id}/view-as").status_code == 404
    assert 'id="view-as-banner"' not in client.get("/notifications").get_data(as_text=True)
    _view_as(client, login, world.pm, world.acme_viewer)


def test_nobody_views_as_staff_or_a_deactivated_user(client, login, world, db) -> None:
    login(world.staff_admin)
    assert client.post(f"/admin/people/{world.pm.id}/view-as").status_code == 404
    world.acme_viewer.is_active = False
    db.add(world.acme_viewer)
    db.flush()
    assert client.post(f"/admin/people/{world.acme_viewer.id}/view-as").status_code == 409


def test_the_view_ends_when_the_client_is_deactivated(client, login, world, db) -> None:
    _view_as(client, login, world.staff_admin, world.acme_viewer)
    world.acme_viewer.is_active = False
    db.add(world.acme_viewer)
    db.flush()
    html = client.get("/admin/people/").get_data(as_text=True)
    assert 'id="view-as-banner"' not in html


def test_staff_pick_the_person_from_the_portals_settings_too(client, login, world) -> None:
    login(world.pm)
    html = client.get("/p/acme-test/settings").get_data(as_text=True)
    assert f"/admin/people/{world.acme_viewer.id}/view-as" in html
    login(world.acme_admin)
    html = client.get("/p/acme-test/settings").get_data(as_text=True)
    assert "/view-as" not in html
