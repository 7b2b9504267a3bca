"""Field gating on staff pages: a role granted only some ``obj.<type>.<field>`` nodes sees only
those fields on the pages (the same registry as the API's ``gated()`` step)."""

from __future__ import annotations

from portal.models import Role, UserRole
from tests.factories.catalog import make_item
from tests.factories.network import make_site
from tests.factories.vault import make_credential, make_type

HIDDEN = 'class="withheld"'
PAGES = [
    "obj.company.*",
    "obj.user.*",
    "obj.catalogItem.*",
    "obj.credential.*",
    "obj.networkSite.*",
]
BASE = [
    "portal.all",
    "procurement.catalog.fetch.many",
    "credential.fetch",
    "credential.fetch.many",
    "network.read",
]


def _staff_with(db, make_user, *nodes: str):
    user = make_user(staff="custom", name="Rita Restricted")
    role = Role(name=f"r-{user.id}", permissions=list(nodes))
    db.add(role)
    db.flush()
    db.add(UserRole(user_id=user.id, role_id=role.id))
    db.flush()
    return user


def _get(client, path: str) -> str:
    resp = client.get(path)
    assert resp.status_code == 200, path
    return resp.get_data(as_text=True)


def test_a_name_only_role_sees_only_names(db, client, login, tenants, make_user) -> None:
    make_item(db, "Gateway X1", price="120.00", cost="77.00", vendor_sku="SKU-GATE-X1")
    router = make_type(db, tenants.staff_admin)
    make_credential(db, tenants.staff_admin, tenants.acme, router, name="Acme gateway")
    make_site(db, tenants.acme, name="Acme HQ site")
    names = [
        "obj.company.name",
        "obj.user.name",
        "obj.catalogItem.name",
        "obj.credential.name",
        "obj.networkSite.name",
    ]
    login(_staff_with(db, make_user, *BASE, *names))

    companies = _get(client, "/admin/companies/?q=Acme+Test")
    assert "Acme Test" in companies and "/p/acme-test" not in companies and HIDDEN in companies

    catalog = _get(client, "/admin/catalog/?q=Gateway+X1")
    assert "Gateway X1" in catalog
    assert "77.00" not in catalog and "120.00" not in catalog and "SKU-GATE-X1" not in catalog
    assert HIDDEN in catalog

    vault = _get(client, f"/admin/vault?company={tenants.acme.id}")
    assert "Acme gateway" in vault
    assert "192.168.1.1" not in vault and "Management IP" not in vault and HIDDEN in vault

    people = _get(client, f"/admin/people/?q={tenants.acme_admin.email}")
    assert tenants.acme_admin.display_name in people
    assert tenants.acme_admin.email.split("@")[0] + "@" not in people.replace(
        f'value="{tenants.acme_admin.email}"', ""
    )
    assert HIDDEN in people

    network = _get(client, f"/p/{tenants.acme.slug}/network")
    assert "Acme HQ site" in network and f"Synced <span {HIDDEN}" in network


def test_every_field_granted_shows_everything(db, client, login, tenants, make_user) -> None:
    make_item(db, "Gateway X1", price="120.00", cost="77.00", vendor_sku="SKU-GATE-X1")
    router = make_type(db, tenants.staff_admin)
    make_credential(db, tenants.staff_admin, tenants.acme, router, name="Acme gateway")
    login(_staff_with(db, make_user, *BASE, *PAGES))
    companies = _get(client, "/admin/companies/?q=Acme+Test")
    assert "/p/acme-test" in companies and HIDDEN not in companies
    catalog = _get(client, "/admin/catalog/?q=Gateway+X1")
    assert "77.00" in catalog and "SKU-GATE-X1" in catalog and HIDDEN not in catalog
    vault = _get(client, f"/admin/vault?company={tenants.acme.id}")
    assert "192.168.1.1" in vault and HIDDEN not in vault
    people = _get(client, f"/admin/people/?q={tenants.acme_admin.email}")
    assert HIDDEN not in people
    make_site(db, tenants.acme, name="Acme HQ site")
    network = _get(client, f"/p/{tenants.acme.slug}/network")
    assert "Acme HQ site" in network and HIDDEN not in network
