"""The staff vault screen: per company, search, masked values revealed on click (audited),
forms with validation messages; clients never reach it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal import crypto
from portal.models import ActivityLog, Role
from portal.models.vault import Credential, CredentialType
from services.accounts.users import grant_role
from tests.conftest import assert_both_ways
from tests.factories.vault import make_credential, make_type

URL = "/admin/vault"


@pytest.fixture
def world(db, tenants):
    tenants.router = make_type(db, tenants.staff_admin)
    tenants.acme_cred = make_credential(
        db,
        tenants.staff_admin,
        tenants.acme,
        tenants.router,
        subCredentials={
            "tunnels": [
                {
                    "name": "Store",
                    "fields": [
                        {"fieldId": "peer", "value": "203.0.113.4"},
                        {"fieldId": "psk", "value": "tunnel-psk-1"},
                    ],
                }
            ]
        },
    )
    tenants.globex_cred = make_credential(
        db, tenants.staff_admin, tenants.globex, tenants.router, name="Globex fw", password="gx-pw"
    )
    return tenants


def test_the_vault_masks_secure_values_both_ways(client, login, world) -> None:
    login(world.staff_admin)
    full, part = assert_both_ways(client, f"{URL}?company={world.acme.id}")
    for body in (full, part):
        assert "HQ gateway" in body and "Globex fw" not in body
        assert "192.168.1.1" in body and "Copy" in body  # plain values in the clear
        assert "s3cret" not in body and "tunnel-psk-1" not in body
        assert "Reveal" in body and "Store" in body
    assert "js/vault.js" in full and "js/vault.js" in part


def test_search(client, login, db, world) -> None:
    make_credential(db, world.staff_admin, world.acme, world.router, name="Warehouse router")
    login(world.staff_admin)
    body = client.get(f"{URL}?company={world.acme.id}&q=wareh").get_data(as_text=True)
    assert "Warehouse router" in body and "HQ gateway" not in body
    body = client.get(f"{URL}?company={world.acme.id}&q=zzz").get_data(as_text=True)
    assert "Nothing matches" in body


def test_reveal_on_click_is_audited(client, login, db, world) -> None:
    login(world.staff_admin)
    url = f"{URL}/credentials/{world.acme_cred.id}/fields/password/reveal"
    for _ in range(2):
        resp = client.post(url, headers={"HX-Request": "true"})
        assert resp.status_code == 200
        body = resp.get_data(as_text=True)
        assert "s3cret-Pa55 " in body and "data-copy-target" in body and "<html" not in body
    rows = db.exec(select(ActivityLog).where(ActivityLog.action == "credential_secret_read")).all()
    assert len(rows) == 2 and rows[0].object_id == world.acme_cred.id
    assert rows[0].actor_id == world.staff_admin.id and rows[0].company_id == world.acme.id
    assert (
        client.post(f"{URL}/credentials/{world.acme_cred.id}/fields/nope/reveal").status_code == 404
    )


def test_sub_credential_values_reveal_too(client, login, db, world) -> None:
    sub = db.exec(select(Credential).where(Credential.parent_id == world.acme_cred.id)).one()
    login(world.staff_admin)
    resp = client.post(f"{URL}/credentials/{sub.id}/fields/psk/reveal")
    assert resp.status_code == 200 and "tunnel-psk-1" in resp.get_data(as_text=True)


def test_a_pm_without_the_node_sees_masks_only(client, login, db, world) -> None:
    login(world.pm)
    body = client.get(f"{URL}?company={world.acme.id}").get_data(as_text=True)
    assert "HQ gateway" in body and "Globex" not in body
    assert "You may not reveal secure values" in body and ">Reveal<" not in body
    url = f"{URL}/credentials/{world.acme_cred.id}/fields/password/reveal"
    assert client.post(url).status_code == 403
    assert client.get(f"{URL}?company={world.globex.id}").status_code == 404
    assert (
        client.post(f"{URL}/credentials/{world.globex_cred.id}/fields/password/reveal").status_code
        == 404
    )
    role = Role(name="Vault", permissions=["credential.secure_values.read"])
    db.add(role)
    db.flush()
    grant_role(db, user=world.pm, role=role)
    assert client.post(url).status_code == 200


@pytest.mark.parametrize("who", ["acme_admin", "acme_viewer", "globex_admin"])
def test_clients_never_reach_the_vault(client, login, world, who) -> None:
    login(getattr(world, who))
    for path in (URL, f"{URL}/types", f"{URL}/credentials/{world.acme_cred.id}/edit"):
        assert client.get(path).status_code == 404
    assert (
        client.post(f"{URL}/credentials/{world.acme_cred.id}/fields/password/reveal").status_code
        == 404
    )


def test_add_a_credential_with_validation_messages(client, login, db, world) -> None:
    login(world.staff_admin)
    picker = client.get(f"{URL}/credentials/new?company={world.acme.id}").get_data(as_text=True)
    assert "Continue" in picker and "Router" in picker
    form = client.get(f"{URL}/credentials/new?company={world.acme.id}&type={world.router.id}")
    assert 'type="password"' in form.get_data(as_text=True)
    data = {
        "company_id": str(world.acme.id),
        "type_id": str(world.router.id),
        "name": "",
        "v-managementIp": "300.1.1.1",
        "v-username": "root",
        "v-password": "",
    }
    bad = client.post(f"{URL}/credentials/new", data=data, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "Give it a name." in body
    assert "Enter an IPv4 or IPv6 address" in body and "Password is required." in body
    assert 'value="root"' in body  # what was typed stays
    good = client.post(
        f"{URL}/credentials/new",
        data={**data, "name": "Spare router", "v-managementIp": "10.0.0.2", "v-password": " pw "},
    )
    assert good.status_code == 303
    cred = db.exec(select(Credential).where(Credential.name == "Spare router")).one()
    assert crypto.decrypt(cred.secrets["password"]) == " pw " and "pw" not in str(cred.values)


def test_edit_keeps_a_blank_secure_field(client, login, db, world) -> None:
    login(world.staff_admin)
    url = f"{URL}/credentials/{world.acme_cred.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Stored. Leave blank to keep it." in page and "s3cret" not in page
    resp = client.post(
        url,
        data={
            "name": "HQ router",
            "v-managementIp": "192.168.1.254",
            "v-username": "admin",
            "v-password": "",
        },
    )
    assert resp.status_code == 303
    db.refresh(world.acme_cred)
    assert world.acme_cred.name == "HQ router"
    assert crypto.decrypt(world.acme_cred.secrets["password"]) == "s3cret-Pa55 "
    assert world.acme_cred.values["managementIp"] == "192.168.1.254"


def test_delete(client, login, db, world) -> None:
    login(world.pm)
    assert client.post(f"{URL}/credentials/{world.acme_cred.id}/delete").status_code == 403
    login(world.staff_admin)
    assert client.post(f"{URL}/credentials/{world.acme_cred.id}/delete").status_code == 303
    gone = db.exec(select(Credential.id).where(Credential.id == world.acme_cred.id)).first()
    assert gone is None


def test_credential_type_forms(client, login, db, world) -> None:
    login(world.staff_admin)
    page = client.get(f"{URL}/types").get_data(as_text=True)
    assert "Router" in page and "Add a credential type" in page
    bad = client.post(f"{URL}/types", data={"name": "", "field-0-name": ""})
    assert bad.status_code == 422 and "Give it a name." in bad.get_data(as_text=True)
    resp = client.post(
        f"{URL}/types",
        data={
            "name": "Website admin",
            "permissionScope": "website.credentials",
            "field-0-name": "Admin URL",
            "field-0-type": "plain_text",
            "field-0-required": "on",
            "field-1-name": "Admin password",
            "field-1-type": "password",
            "field-1-secure": "on",
            "field-2-name": "",
        },
    )
    assert resp.status_code == 303
    ctype = db.exec(select(CredentialType).where(CredentialType.name == "Website admin")).one()
    assert [(f["id"], f["secure"]) for f in ctype.fields] == [
        ("adminUrl", False),
        ("adminPassword", True),
    ]
    edit = client.get(f"{URL}/types/{ctype.id}/edit").get_data(as_text=True)
    assert 'value="adminPassword"' in edit
    resp = client.post(
        f"{URL}/types/{ctype.id}/edit",
        data={
            "name": "Website",
            "field-0-name": "URL",
            "field-0-id": "adminUrl",
            "field-0-type": "plain_text",
        },
    )
    assert resp.status_code == 303
    db.refresh(ctype)
    assert ctype.name == "Website" and [f["id"] for f in ctype.fields] == ["adminUrl"]
    login(world.pm)
    assert "Add a credential type" not in client.get(f"{URL}/types").get_data(as_text=True)
    assert client.post(f"{URL}/types", data={"name": "X", "field-0-name": "A"}).status_code == 403


def test_vault_page_query_count_does_not_grow(client, login, db, world, count_queries) -> None:
    login(world.staff_admin)
    url = f"{URL}?company={world.acme.id}"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for i in range(25):
        make_credential(db, world.staff_admin, world.acme, world.router, name=f"Extra {i}")
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count
