"""/api/v1/portals: create with validation, patch, activity, invite (reference 003, SPEC §4)."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from portal.models import ActivityLog, Company, EmailOutbox, Invitation, Portal
from portal.models.activity import Action
from tests.api.conftest import assert_envelope, bearer, portal_of


def written(db) -> tuple[int, ...]:
    """Companies, portals, invitations, emails and activity rows: refusals change none."""
    return tuple(
        db.exec(select(func.count()).select_from(model)).one()
        for model in (Company, Portal, Invitation, EmailOutbox, ActivityLog)
    )


def test_agency_key_creates_a_portal_and_its_company(client, db, make_key) -> None:
    resp = client.post(
        "/api/v1/portals",
        json={"title": "Riverside Dental", "status": "pending", "accent_color": "#2d6a4f"},
        headers=bearer(make_key()),
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["slug"] == "riverside-dental" and body["status"] == "pending"
    assert body["accent_color"] == "#2d6a4f" and body["allow_uploads"] is True
    assert body["client_user_id"] is None and body["sub_client_ids"] == []
    assert db.exec(select(Company).where(Company.slug == "riverside-dental")).one()
    again = client.post(
        "/api/v1/portals", json={"title": "Riverside Dental"}, headers=bearer(make_key())
    )
    assert again.get_json()["slug"] == "riverside-dental-2"
    activity = client.get(
        f"/api/v1/portals/{body['id']}/activity", headers=bearer(make_key())
    ).get_json()
    assert [a["action"] for a in activity["items"]] == ["portal_created"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "X", "accent_color": "red"}, "accent_color"),
        ({"title": "X", "accent_color": "#12345"}, "accent_color"),
        ({"title": "X", "status": "deleted"}, "status"),
        ({"title": "X", "allow_uploads": "maybe"}, "allow_uploads"),
        ({"title": "X", "client_user_id": 999999}, "client_user_id"),
        ({"title": "X", "template_id": 3}, "template_id"),
    ],
)
def test_create_validation_is_422_per_field(client, db, make_key, payload, field) -> None:
    before = written(db)
    resp = client.post("/api/v1/portals", json=payload, headers=bearer(make_key()))
    body = assert_envelope(resp, 422, "validation_error")
    assert list(body["errors"]) == [field], body
    assert written(db) == before


def test_create_assigns_an_existing_client(client, make_user, make_key) -> None:
    user = make_user(None, "admin")
    resp = client.post(
        "/api/v1/portals",
        json={"title": "Sunset Bakery", "client_user_id": user.id},
        headers=bearer(make_key()),
    )
    assert resp.status_code == 201
    assert resp.get_json()["client_user_id"] == user.id


def test_only_the_agency_creates_portals(client, db, login, tenants, make_key) -> None:
    before = written(db)
    resp = client.post(
        "/api/v1/portals", json={"title": "Mine"}, headers=bearer(make_key(tenants.acme))
    )
    assert_envelope(resp, 403)
    login(tenants.acme_admin)
    assert_envelope(client.post("/api/v1/portals", json={"title": "Mine"}), 403)
    login(tenants.pm)  # a project manager runs portals but does not create them
    assert_envelope(client.post("/api/v1/portals", json={"title": "Mine"}), 403)
    assert written(db) == before
    login(tenants.staff_admin)
    assert client.post("/api/v1/portals", json={"title": "Mine"}).status_code == 201


def test_patch_portal(client, db, login, tenants, make_key) -> None:
    portal = portal_of(db, tenants.acme)
    url = f"/api/v1/portals/{portal.id}"
    resp = client.patch(
        url, json={"status": "archived", "accent_color": "#ff6600"}, headers=bearer(make_key())
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "archived" and resp.get_json()["accent_color"] == "#ff6600"
    before = written(db)
    assert_envelope(client.patch(url, json={"status": "gone"}, headers=bearer(make_key())), 422)
    assert_envelope(client.patch(url, json={"title": None}, headers=bearer(make_key())), 422)
    # the company's own key sees its portal but may not rebrand it
    assert_envelope(
        client.patch(url, json={"title": "Ours"}, headers=bearer(make_key(tenants.acme))), 403
    )
    db.refresh(portal)
    assert portal.title == "Acme Test" and portal.status == "archived"
    assert written(db) == before
    login(tenants.pm)
    assert client.patch(url, json={"title": "Acme Corp."}).get_json()["title"] == "Acme Corp."


def test_pending_portals_are_staff_only(client, db, tenants, make_key) -> None:
    portal = portal_of(db, tenants.acme)
    portal.status = "pending"
    db.add(portal)
    db.flush()
    assert_envelope(
        client.get(f"/api/v1/portals/{portal.id}", headers=bearer(make_key(tenants.acme))), 404
    )
    assert client.get(f"/api/v1/portals/{portal.id}", headers=bearer(make_key())).status_code == 200


def test_invite_sends_an_email_and_logs_it(client, db, tenants, make_key) -> None:
    portal = portal_of(db, tenants.acme)
    resp = client.post(
        f"/api/v1/portals/{portal.id}/invite",
        json={"email": "Jane@Riverside.test", "name": "Jane"},
        headers=bearer(make_key(tenants.acme)),
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {
        "message": "Invitation sent to jane@riverside.test.",
        "email": "jane@riverside.test",
    }
    assert db.exec(select(Invitation).where(Invitation.email == "jane@riverside.test")).one()
    assert db.exec(select(EmailOutbox).where(EmailOutbox.to_email == "jane@riverside.test")).one()


def test_invite_errors(client, db, tenants, make_key, login) -> None:
    portal = portal_of(db, tenants.acme)
    url = f"/api/v1/portals/{portal.id}/invite"
    key = bearer(make_key())
    before = written(db)
    assert_envelope(
        client.post(url, json={"email": "not-an-email"}, headers=key), 400, "invalid_email"
    )
    resp = client.post(url, json={"email": tenants.acme_viewer.email}, headers=key)
    assert_envelope(resp, 409, "user_exists")
    assert_envelope(client.post(url, json={}, headers=key), 422, "validation_error")
    assert written(db) == before
    for i in range(20):
        assert client.post(url, json={"email": f"p{i}@acme.test"}, headers=key).status_code == 200
    resp = client.post(url, json={"email": "one-more@acme.test"}, headers=key)
    assert_envelope(resp, 429, "rate_limited")
    assert resp.headers["Retry-After"]
    # a collaborator may not invite; a foreign admin cannot even see the portal
    before = written(db)
    login(tenants.acme_collab)
    assert_envelope(client.post(url, json={"email": "x@acme.test"}), 403)
    login(tenants.globex_admin)
    assert_envelope(client.post(url, json={"email": "x@acme.test"}), 404)
    assert written(db) == before


@pytest.mark.parametrize("n", [3, 30])
def test_activity_query_count_does_not_grow(
    client, db, tenants, make_key, count_queries, n
) -> None:
    from portal.tenancy import Actor
    from services.events import activity

    for i in range(n):
        activity.record(
            db,
            actor=Actor(kind="staff"),
            company_id=tenants.acme.id,
            action=list(Action)[i % len(Action)],
        )
    portal = portal_of(db, tenants.acme)
    key = bearer(make_key())
    with count_queries() as q:
        body = client.get(f"/api/v1/portals/{portal.id}/activity?limit=100", headers=key).get_json()
    assert body["total"] == n and len(body["items"]) == n
    assert q.count <= 8, q.statements
