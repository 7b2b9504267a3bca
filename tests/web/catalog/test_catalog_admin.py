"""The staff catalog page: searchable, filterable, paged; staff with the node only."""

from __future__ import annotations

from portal.models import Role, UserRole
from tests.conftest import assert_both_ways
from tests.factories.catalog import link, make_item

URL = "/admin/catalog/"


def _world(db):
    switch = make_item(
        db,
        "UniFi Switch 24 PoE",
        price="399.00",
        category="Technology",
        ecosystem="Networking",
        manufacturer="Ubiquiti",
        on_hand=3,
    )
    cable = make_item(db, "Cat6 patch 1m", price="3.50", category="General", on_hand=100)
    make_item(db, "Axis dome", price="699.00", category="Field", manufacturer="Axis")
    make_item(db, "Retired switch", category="Technology", active=False)
    link(db, switch, cable)
    return switch


def test_lists_searches_and_filters(client, login, db, tenants) -> None:
    _world(db)
    login(tenants.staff_admin)
    body = client.get(URL).get_data(as_text=True)
    assert "UniFi Switch 24 PoE" in body and "Axis dome" in body and "$399.00" in body
    assert "Retired switch" not in body
    assert "Accessory:" in body and "3 items" in body
    body = client.get(f"{URL}?q=unifi").get_data(as_text=True)
    assert "UniFi Switch 24 PoE" in body and "Axis dome" not in body
    body = client.get(f"{URL}?category=Field").get_data(as_text=True)
    assert "Axis dome" in body and "Cat6 patch 1m</span>" not in body
    body = client.get(f"{URL}?min_price=100&max_price=500&in_stock=1").get_data(as_text=True)
    assert "1 item match" in body and "UniFi Switch 24 PoE" in body
    body = client.get(f"{URL}?inactive=1&category=Technology").get_data(as_text=True)
    assert "Retired switch" in body
    body = client.get(f"{URL}?q=zzz").get_data(as_text=True)
    assert "Nothing matches" in body


def test_bad_filter_values_are_ignored_not_errors(client, login, db, tenants) -> None:
    _world(db)
    login(tenants.staff_admin)
    for query in (
        "min_price=abc",
        "max_price=-4",
        "min_price=9e999",
        "page=x",
        "min_price=500&max_price=100",
    ):
        assert client.get(f"{URL}?{query}").status_code == 200, query


def test_pages(client, login, db, tenants) -> None:
    for n in range(30):
        make_item(db, f"Thing {n:02d}")
    login(tenants.staff_admin)
    first = client.get(URL).get_data(as_text=True)
    assert "Page 1 of 2" in first and "Thing 00" in first and "Thing 29" not in first
    second = client.get(f"{URL}?page=2").get_data(as_text=True)
    assert "Thing 29" in second


def test_htmx_and_full_page(client, login, db, tenants) -> None:
    _world(db)
    login(tenants.staff_admin)
    full, partial = assert_both_ways(client, URL)
    assert "UniFi Switch 24 PoE" in full and "UniFi Switch 24 PoE" in partial


def test_who_sees_it(client, login, db, make_user, tenants) -> None:
    login(tenants.acme_admin)
    assert client.get(URL).status_code == 404
    login(make_user(staff="custom"))  # staff without procurement nodes
    assert client.get(URL).status_code == 403
    login(tenants.pm)  # PMs read the catalog their proposals' lines come from
    assert client.get(URL).status_code == 200
    user = make_user(staff="custom")
    role = Role(name="buyer", permissions=["procurement.catalog.fetch.many"])
    db.add(role)
    db.flush()
    db.add(UserRole(user_id=user.id, role_id=role.id))
    db.flush()
    login(user)
    assert client.get(URL).status_code == 200


def test_query_count_does_not_grow(client, login, db, tenants, count_queries) -> None:
    login(tenants.staff_admin)
    for _ in range(3):
        link(db, make_item(db), make_item(db))
    with count_queries() as few:
        client.get(URL)
    for _ in range(15):
        link(db, make_item(db), make_item(db))
    with count_queries() as many:
        client.get(URL)
    assert many.count == few.count
