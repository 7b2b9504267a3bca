"""Staff page for API keys: create (secret shown once, stored hashed), revoke, permissions."""

from __future__ import annotations

import re

import pytest
from sqlmodel import func, select

from portal.models import ActivityLog, ApiKey
from services.accounts.tokens import ALL_SCOPES, KEYS_PER_PAGE, create_api_key, digest
from tests.conftest import assert_both_ways


def test_page_both_ways_for_admins(client, login, tenants) -> None:
    login(tenants.staff_admin)
    assert "/admin/api-keys/" in client.get("/admin/").get_data(as_text=True)
    full, part = assert_both_ways(client, "/admin/api-keys/")
    assert "New key" in part and "Agency-wide" in part


def test_create_shows_the_secret_once_and_stores_a_hash(client, db, login, tenants) -> None:
    login(tenants.staff_admin)
    resp = client.post(
        "/admin/api-keys/",
        data={"name": "Zapier", "company_id": str(tenants.acme.id), "scopes": ["portal:read"]},
    )
    assert resp.status_code == 201
    secret = re.search(r'value="(stoa_[^"]+)"', resp.get_data(as_text=True))[1]
    key = db.exec(select(ApiKey).where(ApiKey.name == "Zapier")).one()
    assert key.key_hash == digest(secret) and secret not in str(key.model_dump())
    assert key.company_id == tenants.acme.id and key.scopes == ["portal:read"]
    assert secret not in client.get("/admin/api-keys/").get_data(as_text=True)
    verify = client.get("/api/v1/verify", headers={"X-API-Key": secret}).get_json()
    assert verify["key_type"] == "company" and verify["scopes"] == ["portal:read"]


def _written(db) -> tuple[int, int]:
    """API keys and activity rows: a refused write changes neither."""
    keys = db.exec(select(func.count()).select_from(ApiKey)).one()
    logged = db.exec(select(func.count()).select_from(ActivityLog)).one()
    return keys, logged


def test_create_validation_rerenders_the_form_with_422(client, db, login, tenants) -> None:
    login(tenants.staff_admin)
    before = _written(db)
    resp = client.post(
        "/admin/api-keys/", data={"name": " ", "scopes": []}, headers={"HX-Request": "true"}
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Give the key a name" in html and "Choose at least one scope" in html
    assert "<html" not in html
    assert _written(db) == before


@pytest.mark.parametrize("company_id", ["abc", "0", "-1", "999999"])
def test_a_malformed_or_foreign_company_is_refused(client, db, login, tenants, company_id) -> None:
    login(tenants.staff_admin)
    before = _written(db)
    resp = client.post(
        "/admin/api-keys/",
        data={"name": "Bad", "company_id": company_id, "scopes": ["portal:read"]},
    )
    assert resp.status_code in (404, 422)
    assert _written(db) == before


def test_a_project_manager_with_the_node_makes_company_keys_only(
    client, db, login, tenants
) -> None:
    from portal.models import Role, UserRole

    role = Role(name="Key keeper", permissions=["api_key.manage"])
    db.add(role)
    db.flush()
    db.add(UserRole(user_id=tenants.pm.id, role_id=role.id))
    db.flush()
    login(tenants.pm)
    before = _written(db)
    agency = client.post("/admin/api-keys/", data={"name": "Wide", "scopes": ["portal:read"]})
    assert agency.status_code == 422 and "agency-wide keys are for admins" in agency.get_data(
        as_text=True
    )
    foreign = client.post(
        "/admin/api-keys/",
        data={"name": "Globex", "company_id": tenants.globex.id, "scopes": ["portal:read"]},
    )
    assert foreign.status_code == 404
    assert _written(db) == before
    ok = client.post(
        "/admin/api-keys/",
        data={"name": "Acme", "company_id": tenants.acme.id, "scopes": ["portal:read"]},
    )
    assert ok.status_code == 201


def test_revoke_stops_the_key(client, db, login, tenants) -> None:
    key, secret = create_api_key(db, name="Old", company_id=tenants.acme.id)
    login(tenants.staff_admin)
    resp = client.post(f"/admin/api-keys/{key.id}/revoke", headers={"HX-Request": "true"})
    assert resp.status_code == 204 and resp.headers["HX-Redirect"] == "/admin/api-keys/"
    assert client.get("/api/v1/verify", headers={"X-API-Key": secret}).status_code == 401
    assert "Revoked" in client.get("/admin/api-keys/").get_data(as_text=True)


def test_project_managers_and_clients_cannot_manage_keys(client, db, login, tenants) -> None:
    key, _ = create_api_key(db, name="Acme", company_id=tenants.acme.id)
    before = _written(db)
    login(tenants.pm)
    assert "/admin/api-keys/" not in client.get("/admin/").get_data(as_text=True)
    assert client.get("/admin/api-keys/").status_code == 403
    assert client.post(f"/admin/api-keys/{key.id}/revoke").status_code == 403
    login(tenants.acme_admin)
    assert client.get("/admin/api-keys/").status_code == 404
    assert client.post(f"/admin/api-keys/{key.id}/revoke").status_code == 404
    db.refresh(key)
    assert key.revoked_at is None and _written(db) == before


@pytest.mark.parametrize("n", [3, 30])
def test_key_list_query_count(client, db, login, tenants, count_queries, n) -> None:
    for i in range(n):
        create_api_key(db, name=f"k{i}", company_id=tenants.acme.id if i % 2 else None)
    login(tenants.staff_admin)
    with count_queries() as q:
        html = client.get("/admin/api-keys/").get_data(as_text=True)
    assert html.count('id="key-') == n
    assert q.count <= 12, q.statements


def test_long_key_lists_page(client, db, login, tenants) -> None:
    for i in range(KEYS_PER_PAGE + 1):
        create_api_key(db, name=f"bulk-{i:03}", company_id=tenants.acme.id)
    login(tenants.staff_admin)
    first = client.get("/admin/api-keys/").get_data(as_text=True)
    assert first.count('id="key-') == KEYS_PER_PAGE and "Page 1 of 2" in first
    second = client.get("/admin/api-keys/?page=2").get_data(as_text=True)
    assert second.count('id="key-') == 1 and "Page 2 of 2" in second
    assert client.get("/admin/api-keys/?page=x").status_code == 200


def test_all_scopes_checked_by_default(client, login, tenants) -> None:
    login(tenants.staff_admin)
    html = client.get("/admin/api-keys/").get_data(as_text=True)
    assert html.count("checked") == len(ALL_SCOPES)
