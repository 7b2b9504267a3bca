"""/api/v1/sales: opportunities, products with resequence, notes CRUD, contacts, gating."""

from __future__ import annotations

import pytest

from portal.models import Role, UserRole
from tests.api.conftest import assert_envelope, bearer
from tests.factories.catalog import add_line, make_item, make_opportunity

API = "/api/v1/sales"


@pytest.fixture
def world(db, tenants):
    opp = make_opportunity(
        db, tenants.acme, "Acme network refresh", contact_id=tenants.acme_admin.id
    )
    switch = make_item(db, "Switch", price="399.00")
    ap = make_item(db, "Access point", price="159.00")
    add_line(db, opp, switch, "2")
    add_line(db, opp, ap, "3", "150.00")
    globex = make_opportunity(db, tenants.globex, "Globex cameras")
    make_opportunity(db, tenants.acme, "Acme old deal", status="won")
    tenants.opp, tenants.globex_opp, tenants.switch, tenants.ap = opp, globex, switch, ap
    return tenants


def _staff_with(db, make_user, *nodes: str, assign=None):
    user = make_user(staff="pm" if assign else "custom", assign=assign)
    role = Role(name=f"r-{user.id}", permissions=list(nodes))
    db.add(role)
    db.flush()
    db.add(UserRole(user_id=user.id, role_id=role.id))
    db.flush()
    return user


def test_types(client, make_key, world) -> None:
    data = client.get(f"{API}/opportunity-types", headers=bearer(make_key())).get_json()["data"]
    assert [t["name"] for t in data][:2] == ["00. FutureLead", "01. New"]
    assert any(t["wonFlag"] for t in data)


def test_list_filters_and_count(client, make_key, world) -> None:
    headers = bearer(make_key())
    for query, names in (
        ("", {"Acme network refresh", "Globex cameras"}),
        ("includeClosed=true", {"Acme network refresh", "Globex cameras", "Acme old deal"}),
        ("search=camera", {"Globex cameras"}),
        (
            f"companyId={world.acme.id}&includeClosed=true",
            {"Acme network refresh", "Acme old deal"},
        ),
        ("typeId=6", set()),
    ):
        body = client.get(f"{API}/opportunities?{query}", headers=headers).get_json()
        assert {o["name"] for o in body["data"]} == names, query
        count = client.get(f"{API}/opportunities/count?{query}", headers=headers).get_json()
        assert count["data"]["count"] == body["total"] == len(names)


def test_detail_has_totals_in_decimal(client, make_key, world) -> None:
    data = client.get(f"{API}/opportunities/{world.opp.id}", headers=bearer(make_key())).get_json()[
        "data"
    ]
    assert data["total"] == "1248.00" and data["productCount"] == 2
    assert data["company"]["name"] == "Acme Test" and data["contact"]["id"] == world.acme_admin.id
    assert data["status"]["id"] == "open" and data["closedFlag"] is False


def test_products_add_and_resequence_persists(client, make_key, world) -> None:
    headers = bearer(make_key())
    url = f"{API}/opportunities/{world.opp.id}/products"
    resp = client.post(
        url, json={"catalogItemId": world.switch.identifier, "quantity": "1.5"}, headers=headers
    )
    assert resp.status_code == 201
    assert resp.get_json()["data"]["total"] == "598.50"
    lines = client.get(url, headers=headers).get_json()["data"]
    assert [line["description"] for line in lines] == ["Switch", "Access point", "Switch"]
    new_order = [lines[2]["id"], lines[0]["id"], lines[1]["id"]]
    resp = client.patch(f"{url}/sequence", json={"productIds": new_order}, headers=headers)
    assert resp.status_code == 200
    assert [line["id"] for line in resp.get_json()["data"]] == new_order
    again = client.get(url, headers=headers).get_json()["data"]
    assert [line["id"] for line in again] == new_order
    assert [line["sequence"] for line in again] == [1, 2, 3]
    for bad in ([new_order[0]], [*new_order, new_order[0]], [*new_order[:2], 999999], []):
        assert_envelope(
            client.patch(f"{url}/sequence", json={"productIds": bad}, headers=headers), 422
        )
    assert_envelope(client.post(url, json={"catalogItemId": "nope"}, headers=headers), 422)
    assert_envelope(
        client.post(
            url, json={"catalogItemId": world.ap.identifier, "quantity": "0"}, headers=headers
        ),
        422,
    )


def test_notes_crud(client, login, world) -> None:
    login(world.staff_admin)
    url = f"{API}/opportunities/{world.opp.id}/notes"
    assert client.get(url).get_json()["data"] == []
    resp = client.post(url, json={"text": "Called Jane, wants a quote by Friday"})
    assert resp.status_code == 201
    note = resp.get_json()["data"]
    assert note["author"]["id"] == world.staff_admin.id
    one = f"{url}/{note['id']}"
    assert client.get(one).get_json()["data"]["text"].startswith("Called Jane")
    resp = client.patch(one, json={"text": "Quote sent"})
    assert resp.get_json()["data"]["text"] == "Quote sent"
    assert [n["text"] for n in client.get(url).get_json()["data"]] == ["Quote sent"]
    assert_envelope(client.patch(one, json={"text": ""}), 422)
    assert client.delete(one).status_code == 204
    assert_envelope(client.get(one), 404)
    assert_envelope(client.delete(one), 404)
    # a note is reached only through its own opportunity
    other = client.post(f"{API}/opportunities/{world.globex_opp.id}/notes", json={"text": "x"})
    other_id = other.get_json()["data"]["id"]
    assert_envelope(client.get(f"{url}/{other_id}"), 404)


def test_contacts_are_the_companys_people(client, make_key, world) -> None:
    data = client.get(
        f"{API}/opportunities/{world.opp.id}/contacts", headers=bearer(make_key())
    ).get_json()["data"]
    ids = {c["id"] for c in data}
    assert {world.acme_admin.id, world.acme_viewer.id} <= ids
    assert world.globex_admin.id not in ids and world.retail_admin.id not in ids


def test_refresh_without_an_upstream_is_a_clear_409(client, make_key, world) -> None:
    body = assert_envelope(
        client.post(f"{API}/opportunities/{world.opp.id}/refresh", headers=bearer(make_key())),
        409,
        "upstream_not_configured",
    )
    assert "No upstream CRM" in body["message"]


def test_create(client, make_key, world) -> None:
    headers = bearer(make_key())
    resp = client.post(
        f"{API}/opportunities",
        json={
            "companyId": world.globex.id,
            "name": "Globex WiFi",
            "expectedCloseDate": "2027-01-31",
        },
        headers=headers,
    )
    assert resp.status_code == 201
    assert resp.get_json()["data"]["expectedCloseDate"] == "2027-01-31"
    assert_envelope(
        client.post(
            f"{API}/opportunities", json={"companyId": 999999, "name": "x"}, headers=headers
        ),
        422,
    )
    assert_envelope(
        client.post(
            f"{API}/opportunities",
            json={"companyId": world.acme.id, "name": "x", "typeId": 99},
            headers=headers,
        ),
        422,
    )


def test_tenancy_pm_sees_only_assigned_companies(client, login, db, make_user, world) -> None:
    pm = _staff_with(db, make_user, "sales.*", "obj.opportunity.*", assign=[world.acme])
    login(pm)
    names = {o["name"] for o in client.get(f"{API}/opportunities").get_json()["data"]}
    assert names == {"Acme network refresh"}
    for suffix in ("", "/products", "/notes", "/contacts"):
        assert_envelope(client.get(f"{API}/opportunities/{world.globex_opp.id}{suffix}"), 404)
    assert_envelope(
        client.patch(
            f"{API}/opportunities/{world.globex_opp.id}/products/sequence", json={"productIds": []}
        ),
        404,
    )


def test_clients_and_company_keys_are_refused(client, login, make_key, world) -> None:
    key = bearer(make_key(world.acme))
    assert_envelope(client.get(f"{API}/opportunities", headers=key), 403)
    assert_envelope(client.get(f"{API}/opportunity-types", headers=key), 403)
    assert_envelope(client.get(f"{API}/opportunities/{world.opp.id}", headers=key), 403)
    assert_envelope(client.get(f"{API}/opportunities/{world.globex_opp.id}", headers=key), 404)
    login(world.acme_admin)
    assert_envelope(client.get(f"{API}/opportunities/{world.opp.id}/products"), 403)


def test_field_gating(client, login, db, make_user, world) -> None:
    login(
        _staff_with(
            db, make_user, "portal.all", "sales.opportunity.fetch.many", "obj.opportunity.name"
        )
    )
    rows = client.get(f"{API}/opportunities").get_json()["data"]
    assert rows and all(set(r) == {"name"} for r in rows)
    assert_envelope(client.get(f"{API}/opportunities/{world.opp.id}"), 403)
    assert_envelope(
        client.post(f"{API}/opportunities/{world.opp.id}/notes", json={"text": "x"}), 403
    )


def test_list_query_count_does_not_grow(client, db, make_key, world, count_queries) -> None:
    headers = bearer(make_key())
    with count_queries() as few:
        client.get(f"{API}/opportunities", headers=headers)
    for n in range(12):
        opp = make_opportunity(db, world.globex, f"Deal {n}", contact_id=world.globex_admin.id)
        add_line(db, opp, world.switch)
    with count_queries() as many:
        client.get(f"{API}/opportunities", headers=headers)
    assert many.count == few.count


def test_product_prices_follow_the_opportunity_total_field(client, login, db, make_user, world):
    """The lines add up to the opportunity's total: without ``obj.opportunity.total`` a line
    has no unitPrice nor total (absent, as a gated object's withheld fields)."""
    nodes = ("portal.all", "sales.opportunity.fetch", "sales.opportunity.fetch.many")
    login(_staff_with(db, make_user, *nodes, "obj.opportunity.name"))
    resp = client.get(f"{API}/opportunities/{world.opp.id}/products")
    lines = resp.get_json()["data"]
    assert [line["quantity"] for line in lines] == ["2", "3"]
    assert all("unitPrice" not in line and "total" not in line for line in lines)
    assert "399" not in resp.get_data(as_text=True) and "450" not in resp.get_data(as_text=True)

    login(_staff_with(db, make_user, *nodes, "obj.opportunity.*"))
    lines = client.get(f"{API}/opportunities/{world.opp.id}/products").get_json()["data"]
    assert [(line["unitPrice"], line["total"]) for line in lines] == [
        ("399.00", "798.00"),
        ("150.00", "450.00"),
    ]
