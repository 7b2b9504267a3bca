"""POST /api/v1/webhook: create_portal, send_invite, assign_user, update_portal."""

from __future__ import annotations

from sqlmodel import select

from portal.models import Invitation, PortalManager
from tests.api.conftest import assert_envelope, portal_of
from tests.api.portals.test_portals import written


def hook(client, key: str, **payload):
    return client.post("/api/v1/webhook", json=payload, headers={"X-API-Key": key})


def test_create_portal_then_invite(client, db, make_key, make_user) -> None:
    key = make_key()
    client_user = make_user(None, "admin", email="maria@sunset.test")
    resp = hook(
        client, key, action="create_portal", title="Sunset Bakery", status="pending",
        client_email="maria@sunset.test",
    )  # fmt: skip
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["success"] is True and body["portal"]["slug"] == "sunset-bakery"
    assert body["portal"]["client_user_id"] == client_user.id
    portal_id = body["portal"]["id"]
    resp = hook(
        client,
        key,
        action="send_invite",
        portal_id=portal_id,
        email="owner@sunset.test",
        name="Ola",
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["email"] == "owner@sunset.test"
    assert db.exec(select(Invitation).where(Invitation.email == "owner@sunset.test")).one()


def test_update_portal_and_assign_user(client, db, tenants, make_key, make_user) -> None:
    key = make_key()
    portal = portal_of(db, tenants.globex)
    resp = hook(
        client,
        key,
        action="update_portal",
        portal_id=portal.id,
        status="archived",
        allow_uploads=False,
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["portal"]["status"] == "archived"
    assert resp.get_json()["portal"]["allow_uploads"] is False
    newcomer = make_user(None, "collaborator")
    resp = hook(client, key, action="assign_user", portal_id=portal.id, email=newcomer.email)
    assert resp.status_code == 200, resp.get_json()
    assert newcomer.id in resp.get_json()["portal"]["sub_client_ids"] + [
        resp.get_json()["portal"]["client_user_id"]
    ]
    resp = hook(client, key, action="assign_user", portal_id=portal.id, email=tenants.pm.email)
    assert resp.status_code == 200
    assert db.exec(
        select(PortalManager).where(
            PortalManager.user_id == tenants.pm.id, PortalManager.company_id == tenants.globex.id
        )
    ).one()
    before = written(db)
    resp = hook(
        client, key, action="assign_user", portal_id=portal.id, email=tenants.acme_admin.email
    )
    assert_envelope(resp, 422, "user_in_other_company")
    resp = hook(client, key, action="assign_user", portal_id=portal.id, email="ghost@nowhere.test")
    assert_envelope(resp, 404, "user_not_found")
    db.refresh(tenants.acme_admin)
    assert tenants.acme_admin.company_id == tenants.acme.id and written(db) == before


def test_webhook_validation_and_auth(client, db, tenants, make_key) -> None:
    key = make_key()
    before = written(db)
    assert_envelope(hook(client, key, action="explode"), 422, "validation_error")
    assert_envelope(hook(client, key), 422, "validation_error")
    body = assert_envelope(hook(client, key, action="create_portal", accent_color="blue"), 422)
    assert any("title" in f for f in body["errors"]) and any(
        "accent_color" in f for f in body["errors"]
    )
    assert_envelope(client.post("/api/v1/webhook", json={"action": "send_invite"}), 401)
    resp = client.post(
        "/api/v1/webhook",
        data="{not json",
        content_type="application/json",
        headers={"X-API-Key": key},
    )
    assert_envelope(resp, 400, "malformed_json")
    # a company key may invite to its own portal but not create portals or touch others
    acme_key = make_key(tenants.acme)
    acme, globex = portal_of(db, tenants.acme), portal_of(db, tenants.globex)
    assert_envelope(hook(client, acme_key, action="create_portal", title="Mine"), 403)
    assert_envelope(
        hook(client, acme_key, action="update_portal", portal_id=acme.id, title="X"), 403
    )
    resp = hook(client, acme_key, action="send_invite", portal_id=globex.id, email="x@globex.test")
    assert_envelope(resp, 404)
    assert written(db) == before
    db.refresh(acme)
    assert acme.title == "Acme Test"
    resp = hook(client, acme_key, action="send_invite", portal_id=acme.id, email="new@acme.test")
    assert resp.status_code == 200
    resp = hook(client, key, action="send_invite", portal_id=acme.id, email="bad")
    assert_envelope(resp, 400, "invalid_email")
    limited = make_key(scopes=["portal:read"])
    before = written(db)
    assert_envelope(
        hook(client, limited, action="create_portal", title="No"), 403, "insufficient_scope"
    )
    assert_envelope(hook(client, key, action="send_invite", portal_id=acme.id, email="bad"), 400)
    assert written(db) == before
