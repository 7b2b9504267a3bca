from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import Notification, NotificationPreference
from tests.conftest import assert_both_ways


def _notifs(db, user, n=3, **kw) -> list[Notification]:
    rows = [
        Notification(
            user_id=user.id,
            company_id=user.company_id,
            type="note_mention",
            title=f"Title {i}",
            body="Body",
            url="/p/acme-test/notes",
            **kw,
        )
        for i in range(n)
    ]
    db.add_all(rows)
    db.flush()
    return rows


def test_page_both_ways_in_the_branded_portal(client, login, tenants, db) -> None:
    _notifs(db, tenants.acme_collab)
    login(tenants.acme_collab)
    full, part = assert_both_ways(client, "/notifications")
    assert "Title 0" in full and 'class="tabbar portal-tabbar"' in full and "Acme Test" in full
    assert "3 unread" in part and "<title>Notifications" in part
    login(tenants.pm)
    staff = client.get("/notifications").get_data(as_text=True)
    assert "Staff area" in staff and "No notifications yet" in staff


def test_filters_mark_read_archive_and_read_all(client, login, tenants, db) -> None:
    a, b, c = _notifs(db, tenants.acme_collab)
    login(tenants.acme_collab)
    resp = client.post(f"/notifications/{a.id}/read")
    assert resp.status_code == 303
    db.refresh(a)
    assert a.read_at is not None
    unread = client.get("/notifications?filter=unread").get_data(as_text=True)
    assert "Title 0" not in unread and "Title 1" in unread
    hx = client.post(f"/notifications/{b.id}/archive?filter=all", headers={"HX-Request": "true"})
    html = hx.get_data(as_text=True)
    assert hx.status_code == 200 and "<html" not in html and "Title 1" not in html
    assert '<nav class="segmented"' in html and "&lt;" not in html
    assert '<span id="bell-count"' in html and 'hx-swap-oob="true"' in html  # the bell follows
    archived = client.get("/notifications?filter=archived").get_data(as_text=True)
    assert "Title 1" in archived and "Title 2" not in archived
    client.post("/notifications/read-all")
    db.refresh(c)
    assert c.read_at is not None
    assert "caught up" in client.get("/notifications").get_data(as_text=True)


def test_badge_is_tiny_and_cheap(client, login, tenants, db, count_queries) -> None:
    _notifs(db, tenants.acme_collab, 4)
    _notifs(db, tenants.acme_admin, 2)
    login(tenants.acme_collab)
    client.get("/notifications/badge")
    with count_queries() as q:
        resp = client.get("/notifications/badge")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and ">4<" in html and "4 unread" in html
    assert 'hx-trigger="every 30s, stoa:notifications from:body"' in html and "<html" not in html
    assert q.count <= 2, q.statements
    shell = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    assert (
        'hx-get="/notifications/badge"' in shell
        and 'hx-trigger="load, every 30s, stoa:notifications from:body"' in shell
    )


def test_badge_answers_an_unchanged_poll_with_304(client, login, tenants, db) -> None:
    """The 30 s poll of every open page costs no body while the count stays the same."""
    _notifs(db, tenants.acme_collab, 2)
    login(tenants.acme_collab)
    first = client.get("/notifications/badge")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and ">2<" in first.get_data(as_text=True)
    assert "no-store" not in first.headers["Cache-Control"]
    again = client.get("/notifications/badge", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    _notifs(db, tenants.acme_collab, 1)
    changed = client.get("/notifications/badge", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and ">3<" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag


def test_go_marks_read_and_only_follows_local_links(client, login, tenants, db) -> None:
    [n] = _notifs(db, tenants.acme_collab, 1)
    [evil] = _notifs(db, tenants.acme_collab, 1)
    evil.url = "https://evil.example/phish"
    db.flush()
    login(tenants.acme_collab)
    resp = client.post(f"/notifications/{n.id}/go")
    assert resp.status_code == 303 and resp.headers["Location"] == "/p/acme-test/notes"
    db.refresh(n)
    assert n.read_at is not None
    assert client.post(f"/notifications/{evil.id}/go").headers["Location"] == "/notifications"
    assert client.get(f"/notifications/{evil.id}/go").headers["Location"] == "/notifications"


def test_other_peoples_notifications_are_404(client, login, tenants, db) -> None:
    [n] = _notifs(db, tenants.acme_admin, 1)
    login(tenants.acme_collab)  # same company, different person
    assert client.post(f"/notifications/{n.id}/read").status_code == 404
    assert client.post(f"/notifications/{n.id}/archive").status_code == 404
    assert client.get(f"/notifications/{n.id}/go").status_code == 404
    assert client.post(f"/notifications/{n.id}/go").status_code == 404
    db.refresh(n)
    assert n.read_at is None and n.archived_at is None


def test_preferences_from_settings_and_account(client, login, tenants, db) -> None:
    login(tenants.acme_viewer)  # even a viewer chooses their own notifications
    settings = client.get("/p/acme-test/settings").get_data(as_text=True)
    assert 'name="email:note_mention"' in settings and "Save preferences" in settings
    resp = client.post(
        "/account/notifications",
        data={"in_app:note_mention": "1", "back": "/p/acme-test/settings"},
    )
    assert resp.status_code == 303 and resp.headers["Location"] == "/p/acme-test/settings"
    pref = db.exec(
        select(NotificationPreference).where(
            NotificationPreference.user_id == tenants.acme_viewer.id,
            NotificationPreference.notification_type == "note_mention",
        )
    ).one()
    assert pref.channel_in_app and not pref.channel_email
    login(tenants.pm)
    assert 'name="in_app:task_assigned"' in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize("which", ["all", "unread", "archived"])
def test_list_query_count_does_not_grow(client, login, tenants, db, count_queries, which) -> None:
    login(tenants.acme_collab)
    _notifs(db, tenants.acme_collab, 3)
    _notifs(db, tenants.acme_collab, 3, archived_at=None)
    client.get(f"/notifications?filter={which}")
    with count_queries() as few:
        client.get(f"/notifications?filter={which}")
    _notifs(db, tenants.acme_collab, 30)
    with count_queries() as many:
        client.get(f"/notifications?filter={which}")
    assert few.count == many.count <= 12, "\n".join(many.statements)


def test_badge_for_a_signed_out_browser_swaps_nothing(client) -> None:
    resp = client.get("/notifications/badge", headers={"HX-Request": "true"})
    assert resp.status_code == 204 and resp.data == b""
    assert client.get("/notifications").status_code == 302  # the page itself needs sign-in


def test_client_of_a_pending_portal_still_reads_notifications(client, login, tenants, db) -> None:
    from portal.models import Portal

    portal = db.exec(select(Portal).where(Portal.company_id == tenants.globex.id)).one()
    portal.status = "pending"
    db.add(portal)
    _notifs(db, tenants.globex_admin, 1)
    login(tenants.globex_admin)
    resp = client.get("/notifications")
    assert resp.status_code == 200 and "Title 0" in resp.get_data(as_text=True)


def _switch_off(db, company, tab: str) -> None:
    from portal.models import Portal
    from services.portals.settings import SWITCHABLE_TABS

    portal = db.exec(select(Portal).where(Portal.company_id == company.id)).one()
    portal.enabled_tabs = [t for t in (portal.enabled_tabs or SWITCHABLE_TABS) if t != tab]
    db.add(portal)
    db.flush()


def test_opening_a_notification_into_a_switched_off_tab_explains_instead_of_404(
    client, login, tenants, db
) -> None:
    """Deliverables switched off on Acme after the notice was sent: opening it (POST or the
    read-only GET) lands on the notifications page with the reason, never on a 404."""
    [n] = _notifs(db, tenants.acme_collab, 1)
    [notes] = _notifs(db, tenants.acme_collab, 1)
    n.url = "/p/acme-test/deliverables/12?comment=3"
    db.flush()
    _switch_off(db, tenants.acme, "deliverables")
    login(tenants.acme_collab)
    assert client.get(n.url).status_code == 404  # the page it named is gone
    for resp in (client.post(f"/notifications/{n.id}/go"), client.get(f"/notifications/{n.id}/go")):
        assert resp.status_code in (302, 303) and resp.headers["Location"] == "/notifications"
        page = client.get("/notifications").get_data(as_text=True)
        assert "The Deliverables tab is switched off on Acme Test&#39;s portal." in page
    db.refresh(n)
    assert n.read_at is not None  # opened: read, like any other
    # a notice into a tab still on follows as before
    assert client.post(f"/notifications/{notes.id}/go").headers["Location"] == "/p/acme-test/notes"


def test_a_notification_into_a_switched_off_tab_is_listed_without_a_link(
    client, login, tenants, db, count_queries
) -> None:
    rows = _notifs(db, tenants.acme_collab, 2)
    rows[0].url, rows[0].title = "/p/acme-test/deliverables/12", "Logo in review"
    db.flush()
    _switch_off(db, tenants.acme, "deliverables")
    login(tenants.acme_collab)
    for path in ("/notifications", "/notifications/panel"):
        html = client.get(path).get_data(as_text=True)
        assert "Logo in review" in html and "Title 1" in html, path
        assert f"/notifications/{rows[0].id}/go" not in html, path  # named, not a link
        assert f"/notifications/{rows[1].id}/go" in html, path
        assert "Deliverables tab is switched off" in html, path
    # the check is one query for the whole list, not one a row
    with count_queries() as few:
        client.get("/notifications/panel")
    more = _notifs(db, tenants.acme_collab, 5)
    for m in more:
        m.url = "/p/acme-test/deliverables/13"
    db.flush()
    with count_queries() as many:
        client.get("/notifications/panel")
    assert few.count == many.count, "\n".join(many.statements)
