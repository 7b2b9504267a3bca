"""/api/v1 credentials and credential-types: every route, its envelope and its errors."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from portal.models import ActivityLog, Role
from services.accounts.users import grant_role
from tests.api.conftest import assert_envelope, bearer
from tests.factories.vault import make_credential, make_type

API = "/api/v1/credentials"
TYPES = "/api/v1/credential-types"


@pytest.fixture
def world(db, tenants):
    tenants.router = make_type(db, tenants.staff_admin)
    tenants.acme_cred = make_credential(
        db,
        tenants.staff_admin,
        tenants.acme,
        tenants.router,
        subCredentials={
            "tunnels": [{"name": "Store", "fields": [{"fieldId": "peer", "value": "203.0.113.4"}]}]
        },
    )
    tenants.globex_cred = make_credential(
        db, tenants.staff_admin, tenants.globex, tenants.router, name="Globex fw"
    )
    return tenants


def _data(resp, status=200):
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    body = resp.get_json()
    assert body["successful"] is True and body["status"] == status
    return body["data"]


def test_list_filter_and_shape(client, login, world) -> None:
    login(world.staff_admin)
    data = _data(client.get(API))
    assert {c["name"] for c in data} == {"HQ gateway", "Globex fw"}
    only = _data(client.get(f"{API}?companyId={world.acme.id}"))
    assert [c["name"] for c in only] == ["HQ gateway"]
    cred = only[0]
    assert cred["id"] == str(world.acme_cred.id) and cred["companyId"] == str(world.acme.id)
    assert cred["type"]["name"] == "Router" and cred["company"]["name"] == world.acme.name
    fields = {f["id"]: f for f in cred["fields"]}
    assert fields["username"]["value"] == "admin"
    assert fields["password"]["secure"] is True and fields["password"]["value"] is None
    assert fields["password"]["hasValue"] is True
    assert "s3cret" not in str(only)
    assert _data(client.get(f"{API}?q=globex"))[0]["name"] == "Globex fw"


def test_list_query_count_does_not_grow(client, login, db, world, count_queries) -> None:
    login(world.staff_admin)
    with count_queries() as few:
        assert client.get(API).status_code == 200
    for i in range(12):
        make_credential(db, world.staff_admin, world.acme, world.router, name=f"Extra {i}")
    with count_queries() as many:
        assert len(client.get(API).get_json()["data"]) == 14
    assert many.count == few.count


def test_create_get_update_delete(client, login, db, world) -> None:
    login(world.staff_admin)
    body = {
        "name": "Backup router",
        "notes": "Cupboard",
        "typeId": str(world.router.id),
        "companyId": str(world.acme.id),
        "fields": [
            {"fieldId": "managementIp", "value": "10.0.0.1"},
            {"fieldId": "username", "value": "root"},
            {"fieldId": "password", "value": "pw-backup"},
        ],
        "subCredentials": {
            "tunnels": [{"name": "T1", "fields": [{"fieldId": "peer", "value": "x"}]}]
        },
    }
    created = _data(client.post(API, json=body), 201)
    cid = created["id"]
    raw = db.execute(
        text('SELECT secrets, "values" FROM credential WHERE id = :i'), {"i": int(cid)}
    ).one()
    assert "pw-backup" not in str(raw) and "root" in str(raw)
    got = _data(client.get(f"{API}/{cid}"))
    assert got["notes"] == "Cupboard"
    subs = _data(client.get(f"{API}/{cid}/sub-credentials"))
    assert [s["name"] for s in subs] == ["T1"] and subs[0]["subCredentialOfId"] == cid
    updated = _data(
        client.patch(
            f"{API}/{cid}",
            json={"name": "Spare router", "fields": [{"fieldId": "password", "value": "pw2"}]},
        )
    )
    assert updated["name"] == "Spare router"
    assert _data(client.get(f"{API}/{cid}/secure-values/password"))["value"] == "pw2"
    assert _data(client.delete(f"{API}/{cid}")) is None
    assert_envelope(client.get(f"{API}/{cid}"), 404, "not_found")


def test_create_errors(client, login, world) -> None:
    login(world.staff_admin)
    assert_envelope(client.post(API, json={}), 422, "validation_error")
    bad = {
        "name": "X",
        "typeId": str(world.router.id),
        "companyId": str(world.acme.id),
        "fields": [
            {"fieldId": "managementIp", "value": "999.1.1.1"},
            {"fieldId": "nope", "value": "1"},
        ],
    }
    errors = assert_envelope(client.post(API, json=bad), 422)["errors"]
    assert {"fields.managementIp", "fields.nope", "fields.username", "fields.password"} <= set(
        errors
    )
    foreign_type = {**bad, "typeId": "987654", "fields": []}
    assert "typeId" in assert_envelope(client.post(API, json=foreign_type), 422)["errors"]
    login(world.pm)  # the PM does not see Globex: it cannot put a credential there
    body = {**bad, "companyId": str(world.globex.id)}
    assert "companyId" in assert_envelope(client.post(API, json=body), 422)["errors"]


def test_secure_values_list_and_read(client, login, db, world) -> None:
    login(world.staff_admin)
    listed = _data(client.get(f"{API}/{world.acme_cred.id}/secure-values"))
    assert listed == [
        {"fieldId": "password", "name": "Password", "valueType": "password", "hasValue": True},
        {
            "fieldId": "recoveryKey",
            "name": "Recovery key",
            "valueType": "bitlocker_key",
            "hasValue": False,
        },
    ]
    one = _data(client.get(f"{API}/{world.acme_cred.id}/secure-values/password"))
    assert one == {"fieldId": "password", "value": "s3cret-Pa55 "}
    assert (
        _data(client.get(f"{API}/{world.acme_cred.id}/secure-values/recoveryKey"))["value"] is None
    )
    body = assert_envelope(
        client.get(f"{API}/{world.acme_cred.id}/secure-values/unknownField"), 404
    )
    assert body["code"] == "SecureFieldNotFound"
    assert body["message"] == "Secure field not found: unknownField"
    audited = db.exec(
        select(ActivityLog).where(ActivityLog.action == "credential_secret_read")
    ).all()
    assert len(audited) == 2  # the two successful reads, not the listing nor the 404


def test_pm_without_the_node_gets_403_and_foreign_is_404(client, login, db, world) -> None:
    login(world.pm)
    assert _data(client.get(f"{API}/{world.acme_cred.id}"))["name"] == "HQ gateway"
    assert_envelope(
        client.get(f"{API}/{world.acme_cred.id}/secure-values/password"), 403, "forbidden"
    )
    assert_envelope(client.get(f"{API}/{world.globex_cred.id}"), 404, "not_found")
    assert_envelope(client.get(f"{API}/{world.globex_cred.id}/secure-values/password"), 404)
    assert [c["name"] for c in _data(client.get(API))] == ["HQ gateway"]
    assert_envelope(client.delete(f"{API}/{world.acme_cred.id}"), 403)
    role = Role(name="Vault", permissions=["credential.secure_values.read"])
    db.add(role)
    db.flush()
    grant_role(db, user=world.pm, role=role)
    assert _data(client.get(f"{API}/{world.acme_cred.id}/secure-values/password"))["value"]


def test_clients_and_company_keys_never_see_the_vault(client, login, make_key, world) -> None:
    login(world.acme_admin)
    assert_envelope(client.get(API), 403)
    assert_envelope(client.get(f"{API}/{world.acme_cred.id}"), 404)
    assert_envelope(client.get(TYPES), 403)
    key = bearer(make_key(world.acme))
    assert_envelope(client.get(API, headers=key), 403)
    assert_envelope(
        client.get(f"{API}/{world.acme_cred.id}/secure-values/password", headers=key), 404
    )


def test_key_scopes(client, make_key, world) -> None:
    read = bearer(make_key(scopes=["vault:read"]))
    assert _data(client.get(API, headers=read))
    assert_envelope(
        client.get(f"{API}/{world.acme_cred.id}/secure-values/password", headers=read),
        403,
        "insufficient_scope",
    )
    secrets = bearer(make_key(scopes=["vault:secrets"]))
    assert _data(client.get(f"{API}/{world.acme_cred.id}/secure-values/password", headers=secrets))[
        "value"
    ]
    assert_envelope(
        client.delete(f"{API}/{world.acme_cred.id}", headers=read), 403, "insufficient_scope"
    )


def test_field_gating(client, login, db, world) -> None:
    role = Role(
        name="Names only",
        permissions=[
            "portal.all",
            "credential.fetch.many",
            "obj.credential.name",
            "obj.credentialType.name",
            "credential_type.fetch.many",
        ],
    )
    db.add(role)
    db.flush()
    from portal.models import User

    limited = User(email="limited@example.test", name="Limited", is_staff=True)
    db.add(limited)
    db.flush()
    grant_role(db, user=limited, role=role)
    login(limited)
    data = _data(client.get(API))
    assert data and all(set(c) == {"name"} for c in data)
    types = _data(client.get(TYPES))
    assert types == [{"name": "Router"}]


def test_sub_credentials_routes(client, login, world) -> None:
    login(world.staff_admin)
    url = f"{API}/{world.acme_cred.id}/sub-credentials"
    sub = _data(
        client.post(
            url,
            json={
                "fieldId": "tunnels",
                "name": "T2",
                "fields": [{"fieldId": "peer", "value": "p"}],
            },
        ),
        201,
    )
    assert sub["subCredentialOfId"] == str(world.acme_cred.id)
    assert_envelope(client.post(url, json={"fieldId": "username", "name": "x", "fields": []}), 422)
    assert_envelope(client.post(url, json={}), 422)
    body = assert_envelope(client.delete(f"{url}/{world.globex_cred.id}"), 404)
    assert body["code"] == "SubCredentialNotFound" and body["message"] == "Sub-credential not found"
    assert _data(client.delete(f"{url}/{sub['id']}")) is None
    assert [s["name"] for s in _data(client.get(url))] == ["Store"]


def test_credential_types_crud(client, login, world) -> None:
    login(world.staff_admin)
    assert "multi_credential" in _data(client.get(f"{API}/value-types"))
    listed = _data(client.get(TYPES))
    assert listed[0]["name"] == "Router" and listed[0]["credentialCount"] == 2
    assert listed[0]["permissionScope"] == "network.credentials"
    body = {
        "name": "GitHub",
        "permissionScope": "github.credentials",
        "fields": [
            {
                "id": "username",
                "name": "Username",
                "required": True,
                "secure": False,
                "valueType": "plain_text",
            },
            {
                "id": "token",
                "name": "Token",
                "required": True,
                "secure": True,
                "valueType": "password",
            },
        ],
    }
    created = _data(client.post(TYPES, json=body), 201)
    tid = created["id"]
    assert [f["id"] for f in created["fields"]] == ["username", "token"]
    assert_envelope(client.post(TYPES, json=body), 422)  # the name is taken
    assert_envelope(
        client.post(
            TYPES, json={"name": "Bad", "fields": [{"id": "x", "name": "X", "valueType": "nope"}]}
        ),
        422,
    )
    assert _data(client.get(f"{TYPES}/{tid}"))["name"] == "GitHub"
    assert (
        _data(client.patch(f"{TYPES}/{tid}", json={"name": "GitHub Enterprise"}))["name"]
        == "GitHub Enterprise"
    )
    assert _data(client.get(f"{TYPES}/{world.router.id}/credentials"))[0]["typeId"] == str(
        world.router.id
    )
    assert _data(client.delete(f"{TYPES}/{tid}")) is None
    assert_envelope(client.get(f"{TYPES}/{tid}"), 404, "not_found")
    login(world.pm)
    assert_envelope(client.post(TYPES, json=body), 403)
    assert_envelope(client.delete(f"{TYPES}/{world.router.id}"), 403)
    assert [c["name"] for c in _data(client.get(f"{TYPES}/{world.router.id}/credentials"))] == [
        "HQ gateway"
    ]
