from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, assert_both_ways

TABS = ["dashboard", "team", "settings"]


@pytest.mark.parametrize("tab", TABS)
def test_tabs_render_whole_or_as_fragment(client, login, tenants, tab) -> None:
    login(tenants.acme_collab)
    full, part = assert_both_ways(client, f"/p/acme-test/{tab}")
    assert 'class="tabbar portal-tabbar"' in full and "Acme Test" in full
    assert 'class="tabbar portal-tabbar"' not in part
    assert "<title>" in part  # htmx updates the document title from the fragment


def test_portal_root_redirects_to_landing_tab(client, login, tenants) -> None:
    login(tenants.acme_collab)
    resp = client.get("/p/acme-test/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/p/acme-test/dashboard")


def test_branding_comes_from_the_portal(client, db, login, tenants) -> None:
    from sqlmodel import select

    from portal.models import Portal

    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    portal.accent_color = "#0f766e"
    db.add(portal)
    db.flush()
    login(tenants.acme_collab)
    html = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    assert "/theme.css?accent=0f766e" in html
    css = client.get("/theme.css?accent=0f766e")
    assert css.mimetype == "text/css" and "--accent:#0f766e" in css.get_data(as_text=True)
    hostile = client.get("/theme.css?accent=red;}body{display:none").get_data(as_text=True)
    assert "display:none" not in hostile


def test_only_enabled_tabs_show(client, db, login, tenants) -> None:
    from sqlmodel import select

    from portal.models import Portal

    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    portal.enabled_tabs = ["dashboard", "settings"]
    db.add(portal)
    db.flush()
    login(tenants.acme_collab)
    html = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    assert 'data-tab="team"' not in html and 'data-tab="settings"' in html


def test_security_headers(client, login, tenants) -> None:
    login(tenants.acme_collab)
    resp = client.get("/p/acme-test/dashboard")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    # red-team #10: no image from another host, so no note or page can track its readers
    assert "img-src 'self' data:;" in csp and "https:" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in resp.headers  # only behind TLS
    html = resp.get_data(as_text=True)
    assert "<script>" not in html and " onclick=" not in html


def test_staff_see_a_portal_switcher_and_lone_clients_do_not(client, login, tenants) -> None:
    """Staff switch between their portals; a client only within its group (a parent company's
    people to its children's portals: tests/web/dashboard/test_group_links.py)."""
    login(tenants.staff_admin)
    html = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    assert "Switch portal" in html and "/p/globex-test/" in html
    login(tenants.globex_admin)
    assert "Switch portal" not in client.get("/p/globex-test/dashboard").get_data(as_text=True)


def test_pm_switcher_lists_only_assigned_portals(client, login, tenants) -> None:
    login(tenants.pm)
    html = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    assert "/p/acme-retail-test/" in html and "/p/globex-test/" not in html
    admin = client.get("/admin/").get_data(as_text=True)
    assert "Acme Test" in admin and "Globex Test" not in admin


def test_admin_area_is_staff_only(client, login, tenants) -> None:
    login(tenants.acme_admin)
    assert client.get("/admin/").status_code == 404
    assert client.get("/dev/outbox").status_code == 404
    login(tenants.staff_admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/?q=globex").get_data(as_text=True).count("Globex Test") >= 1
    assert client.get("/dev/outbox").status_code == 200


def test_anonymous_is_sent_to_login(client, tenants) -> None:
    for url in ["/p/acme-test/dashboard", "/admin/", "/account"]:
        resp = client.get(url)
        assert resp.status_code == 302 and "/login?next=" in resp.headers["Location"], url


def test_friendly_error_pages(client, login, tenants) -> None:
    resp = client.get("/no/such/page")
    assert resp.status_code == 404 and "<html" in resp.get_data(as_text=True)
    assert "find that page" in resp.get_data(as_text=True)
    api = client.get("/api/no/such/thing")
    assert api.status_code == 404
    assert api.get_json() == {
        "code": "not_found",
        "message": api.get_json()["message"],
        "data": {"status": 404},
    }


def test_archived_portal_is_read_only_and_pending_is_staff_only(client, db, login, tenants) -> None:
    from sqlmodel import select

    from portal.models import Portal

    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    portal.status = "archived"
    db.add(portal)
    db.flush()
    login(tenants.acme_admin)
    page = client.get("/p/acme-test/dashboard")
    assert page.status_code == 200 and "archived and read-only" in page.get_data(as_text=True)
    assert (
        client.post("/p/acme-test/settings/invitations", data={"email": "a@b.test"}).status_code
        == 403
    )
    portal.status = "pending"
    db.add(portal)
    db.flush()
    assert client.get("/p/acme-test/dashboard").status_code == 404
    login(tenants.staff_admin)
    assert client.get("/p/acme-test/dashboard").status_code == 200


def test_health_endpoints(client) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["database"] is True
    assert ready.get_json()["revision"] == ready.get_json()["head"]


def test_staff_profile_and_password_on_account(client, db, login, tenants) -> None:
    login(tenants.pm)  # staff keep the portal-neutral /account
    assert client.get("/account").status_code == 200
    resp = client.post("/account/profile", data={"name": "Renamed PM"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/account"
    db.refresh(tenants.pm)
    assert tenants.pm.name == "Renamed PM"
    bad = client.post(
        "/account/password", data={"current_password": "wrong", "new_password": "another-long-one"}
    )
    assert bad.status_code == 422 and "not your current password" in bad.get_data(as_text=True)
    weak = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "x"}
    )
    assert weak.status_code == 422 and "at least 10 characters" in weak.get_data(as_text=True)
    blank = client.post("/account/profile", data={"name": "  "})
    assert blank.status_code == 422
    assert "Your name can&#39;t be empty." in blank.get_data(as_text=True)
    db.refresh(tenants.pm)  # the refused changes wrote nothing
    assert tenants.pm.name == "Renamed PM" and tenants.pm.session_version == 1


def test_dashboard_activity_hides_staff_only_rows_from_clients(client, db, login, tenants) -> None:
    from portal.models import ActivityLog
    from portal.models.activity import STAFF_ONLY_OBJECT_TYPES

    hidden_type = sorted(STAFF_ONLY_OBJECT_TYPES)[0]
    db.add(
        ActivityLog(
            company_id=tenants.acme.id,
            action="message_sent",
            object_type=hidden_type,
            description="Pat posted an internal note",
        )
    )
    db.add(
        ActivityLog(
            company_id=tenants.acme.id,
            action="message_sent",
            object_type="note",
            description="Pat posted a client note",
        )
    )
    db.flush()
    login(tenants.acme_admin)
    html = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    assert "Pat posted a client note" in html and "internal note" not in html
    login(tenants.staff_admin)
    assert "Pat posted an internal note" in client.get("/p/acme-test/dashboard").get_data(
        as_text=True
    )


@pytest.mark.parametrize("raw", ["99999999999", "2147483648", "١", "²", "00000000001234"])
def test_route_ids_outside_a_row_id_are_404(client, login, tenants, raw) -> None:
    """Every ``<int:…>`` route: huge or non-ASCII digits name nothing (not a 500, not row 1)."""
    login(tenants.staff_admin)
    for path in (f"/p/acme-test/tasks/{raw}", f"/p/acme-test/files/{raw}", f"/admin/pages/{raw}"):
        resp = client.get(path)
        assert resp.status_code == 404, (path, resp.status_code)


def test_dev_outbox_is_not_an_escalation_path(app, client, db, login, tenants) -> None:
    """Red-team #2: a PM could read every user's magic link at /dev/outbox and become admin."""
    from services.accounts import auth as auth_service

    auth_service.request_magic_link(db, email=tenants.staff_admin.email, base_url="http://x")
    db.flush()
    login(tenants.pm)
    assert client.get("/dev/outbox").status_code == 403  # staff, but without dev.outbox
    login(tenants.staff_admin)
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert "/magic/[redacted]" in page
    assert not re.search(r"/magic/(?!\[redacted\])[\w-]{20,}", page)
