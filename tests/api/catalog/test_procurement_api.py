"""/api/v1/procurement: the catalog over the API, its filters, count, links and inventory."""

from __future__ import annotations

import itertools
from dataclasses import replace
from types import SimpleNamespace

import pytest

from blueprints.api import auth as api_auth
from portal.models import Role, UserRole
from tests.api.conftest import assert_envelope, bearer
from tests.factories.catalog import link, make_item
from tests.fakes.distributor import API_KEY, FakeDistributor

API = "/api/v1/procurement"


@pytest.fixture
def catalog(db):
    items = SimpleNamespace(
        switch=make_item(
            db,
            "UniFi Switch 24 PoE",
            price="399.00",
            cost="280.00",
            category="Technology",
            subcategory="Network-Switch",
            ecosystem="Networking",
            manufacturer="Ubiquiti",
            on_hand=4,
        ),
        ap=make_item(
            db,
            "UniFi U6 Pro",
            price="149.00",
            category="Technology",
            subcategory="Network-Wireless",
            ecosystem="Networking",
            manufacturer="Ubiquiti",
            on_hand=0,
        ),
        router=make_item(
            db,
            "TP-Link ER605",
            price="59.90",
            category="Technology",
            subcategory="Network-Router",
            ecosystem="Networking",
            manufacturer="TP-Link",
            on_hand=12,
        ),
        camera=make_item(
            db,
            "Axis P3265 Dome",
            price="699.00",
            category="Field",
            subcategory="Video-Camera",
            ecosystem="Video Surveillance",
            manufacturer="Axis",
            on_hand=2,
        ),
        cable=make_item(
            db,
            "Cat6 patch 1m (100%_pack)",
            price="2.50",
            category="General",
            subcategory="Cables",
            manufacturer="Generic",
            on_hand=300,
        ),
        old=make_item(
            db,
            "UniFi Switch 8 (retired)",
            price="99.00",
            category="Technology",
            subcategory="Network-Switch",
            ecosystem="Networking",
            manufacturer="Ubiquiti",
            active=False,
        ),
    )
    return items


def _staff_with(db, make_user, *nodes: str):
    user = make_user(staff="custom")
    role = Role(name=f"r-{user.id}", permissions=list(nodes))
    db.add(role)
    db.flush()
    db.add(UserRole(user_id=user.id, role_id=role.id))
    db.flush()
    return user


def _names(resp) -> list[str]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return [i["name"] for i in resp.get_json()["data"]]


def test_lists_active_items_by_name_with_decimal_prices(client, make_key, catalog) -> None:
    resp = client.get(f"{API}/items", headers=bearer(make_key()))
    body = resp.get_json()
    assert body["successful"] is True and body["total"] == 5
    assert _names(resp) == sorted(_names(resp))
    assert "UniFi Switch 8 (retired)" not in _names(resp)
    switch = next(i for i in body["data"] if i["name"] == "UniFi Switch 24 PoE")
    assert switch["price"] == "399.00" and switch["cost"] == "280.00"
    assert switch["onHand"] == 4 and switch["inactive"] is False
    assert switch["identifier"] == catalog.switch.identifier


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=technology", {"UniFi Switch 24 PoE", "UniFi U6 Pro", "TP-Link ER605"}),
        ("subcategory=Network-Switch", {"UniFi Switch 24 PoE"}),
        ("ecosystem=Networking", {"UniFi Switch 24 PoE", "UniFi U6 Pro", "TP-Link ER605"}),
        ("manufacturer=ubiq", {"UniFi Switch 24 PoE", "UniFi U6 Pro"}),
        ("minPrice=100&maxPrice=400", {"UniFi Switch 24 PoE", "UniFi U6 Pro"}),
        ("maxPrice=59.90", {"TP-Link ER605", "Cat6 patch 1m (100%_pack)"}),
        ("inStock=true&ecosystem=Networking", {"UniFi Switch 24 PoE", "TP-Link ER605"}),
        ("search=dome", {"Axis P3265 Dome"}),
        ("search=100%25_", {"Cat6 patch 1m (100%_pack)"}),
        ("search=%25", {"Cat6 patch 1m (100%_pack)"}),
        (
            "includeInactive=true&subcategory=Network-Switch",
            {"UniFi Switch 24 PoE", "UniFi Switch 8 (retired)"},
        ),
    ],
)
def test_filters(client, make_key, catalog, query, expected) -> None:
    assert set(_names(client.get(f"{API}/items?{query}", headers=bearer(make_key())))) == expected


def test_count_equals_the_unpaged_filtered_list_for_every_combination(
    client, login, tenants, catalog, monkeypatch
) -> None:
    login(tenants.staff_admin)  # a session: no key rate limit
    # thousands of requests in well under a minute on a fast machine: this test is about counts,
    # not the per-address limit (tested in the API framework tests)
    monkeypatch.setattr(api_auth, "IP_LIMIT", 1_000_000)
    headers: dict[str, str] = {}
    options = [
        ["", "category=Technology", "category=Field", "category=nothing"],
        ["", "ecosystem=Networking"],
        ["", "manufacturer=ubiquiti", "manufacturer=link"],
        ["", "minPrice=50", "maxPrice=150", "minPrice=60&maxPrice=700"],
        ["", "inStock=true"],
        ["", "includeInactive=true"],
        ["", "search=unifi"],
    ]
    tried = 0
    for combo in itertools.product(*options):
        query = "&".join(p for p in combo if p)
        listed = client.get(f"{API}/items?{query}&limit=100", headers=headers).get_json()
        everything = []
        offset = 0
        while True:  # the unpaged list, two at a time
            page = client.get(f"{API}/items?{query}&limit=2&offset={offset}", headers=headers)
            rows = page.get_json()["data"]
            everything += rows
            if len(rows) < 2:
                break
            offset += 2
        for path in ("/count", "/items/count"):
            count = client.get(f"{API}{path}?{query}", headers=headers).get_json()["data"]["count"]
            assert count == len(everything) == listed["total"] == len(listed["data"]), query
        tried += 1
    assert tried == 4 * 2 * 3 * 4 * 2 * 2 * 2


def test_an_impossible_price_range_is_422(client, make_key, catalog) -> None:
    headers = bearer(make_key())
    assert_envelope(client.get(f"{API}/items?minPrice=10&maxPrice=5", headers=headers), 422)
    assert_envelope(client.get(f"{API}/count?minPrice=-1", headers=headers), 422)
    assert_envelope(client.get(f"{API}/items?minPrice=abc", headers=headers), 422)


def test_get_by_id_or_part_number_with_linked_items(client, db, make_key, catalog) -> None:
    link(db, catalog.switch, catalog.cable)
    headers = bearer(make_key())
    by_id = client.get(f"{API}/items/{catalog.switch.id}", headers=headers).get_json()["data"]
    assert "linkedItems" not in by_id
    by_pn = client.get(
        f"{API}/items/{catalog.switch.identifier}?includeLinkedItems=true", headers=headers
    ).get_json()["data"]
    assert by_pn["id"] == str(catalog.switch.id)
    assert [(li["name"], li["kind"]) for li in by_pn["linkedItems"]] == [
        ("Cat6 patch 1m (100%_pack)", "accessory")
    ]
    assert_envelope(client.get(f"{API}/items/999999", headers=headers), 404, "not_found")
    assert_envelope(client.get(f"{API}/items/NOPE-1", headers=headers), 404)


def test_link_and_unlink(client, make_key, catalog) -> None:
    headers = bearer(make_key())
    url = f"{API}/items/{catalog.switch.id}"
    resp = client.post(f"{url}/link", json={"targetId": str(catalog.ap.id)}, headers=headers)
    assert resp.status_code == 200
    assert [li["name"] for li in resp.get_json()["data"]["linkedItems"]] == ["UniFi U6 Pro"]
    resp = client.post(
        f"{url}/link",
        json={"targetId": catalog.old.identifier, "kind": "replacement"},
        headers=headers,
    )
    kinds = {li["name"]: li["kind"] for li in resp.get_json()["data"]["linkedItems"]}
    assert kinds == {"UniFi U6 Pro": "accessory", "UniFi Switch 8 (retired)": "replacement"}
    assert _names(client.get(f"{url}/linked", headers=headers)) == [
        "UniFi Switch 8 (retired)",
        "UniFi U6 Pro",
    ]
    resp = client.post(f"{url}/unlink", json={"targetId": str(catalog.ap.id)}, headers=headers)
    assert [li["name"] for li in resp.get_json()["data"]["linkedItems"]] == [
        "UniFi Switch 8 (retired)"
    ]
    # errors: not linked, itself, unknown target, bad kind, no body
    assert_envelope(
        client.post(f"{url}/unlink", json={"targetId": str(catalog.ap.id)}, headers=headers), 404
    )
    assert_envelope(
        client.post(f"{url}/link", json={"targetId": str(catalog.switch.id)}, headers=headers),
        422,
    )
    assert_envelope(client.post(f"{url}/link", json={"targetId": "999999"}, headers=headers), 422)
    assert_envelope(
        client.post(
            f"{url}/link", json={"targetId": str(catalog.ap.id), "kind": "x"}, headers=headers
        ),
        422,
    )
    assert_envelope(client.post(f"{url}/link", json={}, headers=headers), 422)


def test_categories_and_filter_values(client, make_key, catalog) -> None:
    headers = bearer(make_key())
    tax = client.get(f"{API}/categories", headers=headers).get_json()["data"]
    tech = next(c for c in tax["categories"] if c["name"] == "Technology")
    assert tech["count"] == 3
    assert [s["name"] for s in tech["subcategories"]] == [
        "Network-Router",
        "Network-Switch",
        "Network-Wireless",
    ]
    networking = next(e for e in tax["ecosystems"] if e["name"] == "Networking")
    assert [m["name"] for m in networking["manufacturers"]] == ["TP-Link", "Ubiquiti"]
    values = client.get(f"{API}/filters", headers=headers).get_json()["data"]
    assert values["categories"] == ["Field", "General", "Technology"]
    assert set(values["manufacturers"]) == {"Axis", "Generic", "TP-Link", "Ubiquiti"}
    scoped = client.get(
        f"{API}/filters?category=Technology&subcategory=Network-Router", headers=headers
    ).get_json()["data"]
    assert scoped["manufacturers"] == ["TP-Link"]
    assert scoped["subcategories"] == ["Network-Router", "Network-Switch", "Network-Wireless"]


def test_clients_and_company_keys_are_refused(client, login, make_key, tenants, catalog) -> None:
    company_key = bearer(make_key(tenants.acme))
    for path in ("/items", "/count", "/categories", "/filters", f"/items/{catalog.ap.id}"):
        assert_envelope(client.get(f"{API}{path}", headers=company_key), 403)
    assert_envelope(
        client.post(
            f"{API}/items/{catalog.ap.id}/link",
            json={"targetId": str(catalog.cable.id)},
            headers=company_key,
        ),
        403,
    )
    login(tenants.acme_admin)
    assert_envelope(client.get(f"{API}/items"), 403)
    assert_envelope(client.get(f"{API}/items"), 403)


def test_scopes(client, make_key, catalog) -> None:
    read_only = bearer(make_key(scopes=["procurement:read"]))
    assert client.get(f"{API}/items", headers=read_only).status_code == 200
    assert_envelope(
        client.post(
            f"{API}/items/{catalog.ap.id}/link",
            json={"targetId": str(catalog.cable.id)},
            headers=read_only,
        ),
        403,
        "insufficient_scope",
    )
    assert_envelope(
        client.get(f"{API}/items", headers=bearer(make_key(scopes=["tasks:read"]))), 403
    )


def test_permission_nodes_and_field_gating(client, login, db, make_user, catalog) -> None:
    login(_staff_with(db, make_user, "procurement.catalog.fetch.many"))
    rows = client.get(f"{API}/items").get_json()["data"]
    assert rows and all(set(r) == set() for r in rows)  # no field node: no fields
    assert_envelope(client.get(f"{API}/items/{catalog.ap.id}"), 403)
    login(
        _staff_with(
            db,
            make_user,
            "procurement.catalog.fetch.many",
            "obj.catalogItem.name",
            "obj.catalogItem.price",
        )
    )
    rows = client.get(f"{API}/items").get_json()["data"]
    assert all(set(r) == {"name", "price"} for r in rows)
    login(_staff_with(db, make_user, "procurement.*", "obj.catalogItem.*"))
    item = client.get(f"{API}/items/{catalog.ap.id}").get_json()["data"]
    assert item["cost"] == "6.00"
    assert_envelope(client.post(f"{API}/items/{catalog.ap.id}/refresh-inventory"), 409)


@pytest.fixture
def distributor(runtime, monkeypatch):
    with FakeDistributor() as fake:
        monkeypatch.setattr(
            runtime,
            "settings",
            replace(runtime.settings, distributor_url=fake.url, distributor_key=API_KEY),
        )
        yield fake


def test_refresh_inventory_from_the_distributor(client, db, make_key, catalog, distributor) -> None:
    distributor.stock[catalog.ap.vendor_sku] = {"onHand": 17, "price": "155.00", "cost": "101.5"}
    resp = client.post(f"{API}/items/{catalog.ap.id}/refresh-inventory", headers=bearer(make_key()))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    data = resp.get_json()["data"]
    assert data["onHand"] == 17 and data["price"] == "155.00" and data["cost"] == "101.50"
    assert data["inventoryCheckedAt"]
    assert distributor.requests == [f"GET /api/v1/inventory/{catalog.ap.vendor_sku}"]
    db.refresh(catalog.ap)
    assert catalog.ap.on_hand == 17


def test_refresh_failures_are_reported_clearly(client, db, make_key, catalog, distributor) -> None:
    headers = bearer(make_key())
    url = f"{API}/items/{catalog.ap.id}/refresh-inventory"
    body = assert_envelope(client.post(url, headers=headers), 409, "distributor_unknown_sku")
    assert "does not list" in body["message"]
    distributor.stock[catalog.ap.vendor_sku] = {"onHand": "many"}
    assert_envelope(client.post(url, headers=headers), 503, "distributor_unavailable")
    distributor.stock[catalog.ap.vendor_sku] = {"onHand": 3}
    distributor.fail_next(2, 502)
    body = assert_envelope(client.post(url, headers=headers), 503, "distributor_unavailable")
    assert "HTTP 502" in body["message"] and "not changed" in body["message"]
    distributor.stop()
    body = assert_envelope(client.post(url, headers=headers), 503, "distributor_unavailable")
    assert "cannot be reached" in body["message"]
    db.refresh(catalog.ap)
    assert catalog.ap.on_hand == 0


def test_refresh_with_a_wrong_key(client, db, make_key, catalog, runtime, monkeypatch) -> None:
    with FakeDistributor(api_key="other") as fake:
        fake.stock[catalog.ap.vendor_sku] = {"onHand": 3}
        monkeypatch.setattr(
            runtime, "settings", replace(runtime.settings, distributor_url=fake.url)
        )
        body = assert_envelope(
            client.post(
                f"{API}/items/{catalog.ap.id}/refresh-inventory", headers=bearer(make_key())
            ),
            503,
        )
        assert "credentials" in body["message"]


def test_list_query_count_does_not_grow(client, db, make_key, count_queries) -> None:
    headers = bearer(make_key())
    for _ in range(3):
        make_item(db)
    with count_queries() as few:
        client.get(f"{API}/items", headers=headers)
    for _ in range(30):
        make_item(db)
    with count_queries() as many:
        client.get(f"{API}/items", headers=headers)
    assert many.count == few.count
