from __future__ import annotations

from sqlmodel import select

from portal.models import Proposal
from tests.conftest import assert_both_ways
from tests.factories.billing import make_proposal
from tests.factories.catalog import add_line, make_item, make_opportunity

BASE = "/admin/opportunities"


def test_list_filters_and_detail(client, login, db, tenants) -> None:
    acme = make_opportunity(db, tenants.acme, "Acme cameras")
    add_line(db, acme, make_item(db, "Dome camera", price="699.00"), quantity="2")
    make_opportunity(db, tenants.globex, "Globex alarm")
    make_opportunity(db, tenants.acme, "Old deal", status="won")
    login(tenants.staff_admin)
    _, part = assert_both_ways(client, f"{BASE}/")
    assert "Acme cameras" in part and "Globex alarm" in part and "Old deal" not in part
    assert "$1,398.00" in part
    page = client.get(f"{BASE}/?q=cam").get_data(as_text=True)
    assert "Acme cameras" in page and "Globex alarm" not in page
    page = client.get(f"{BASE}/?company={tenants.globex.id}").get_data(as_text=True)
    assert "Globex alarm" in page and "Acme cameras" not in page
    assert "Old deal" in client.get(f"{BASE}/?closed=1").get_data(as_text=True)
    _, part = assert_both_ways(client, f"{BASE}/{acme.id}")
    assert "Dome camera" in part and "Share with client" in part


def test_pm_sees_only_assigned_companies(client, login, db, tenants) -> None:
    make_opportunity(db, tenants.acme, "Acme cameras")
    foreign = make_opportunity(db, tenants.globex, "Globex alarm")
    login(tenants.pm)
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "Acme cameras" in page and "Globex alarm" not in page
    assert client.get(f"{BASE}/{foreign.id}").status_code == 404
    assert client.post(f"{BASE}/{foreign.id}/share", data={}).status_code == 404
    login(tenants.acme_admin)
    assert client.get(f"{BASE}/").status_code == 404


def test_add_a_product_then_share_lands_in_the_portal(client, login, db, tenants) -> None:
    opp = make_opportunity(db, tenants.acme, "Acme cameras")
    item = make_item(db, "Dome camera", price="699.00")
    login(tenants.pm)
    empty = client.post(f"{BASE}/{opp.id}/share", data={"title": "x"})
    assert empty.status_code == 409 and "Add products" in empty.get_data(as_text=True)
    resp = client.post(f"{BASE}/{opp.id}/products", data={"catalog_item": item.id, "quantity": "2"})
    assert resp.status_code in (302, 303)
    resp = client.post(
        f"{BASE}/{opp.id}/share", data={"title": "Cameras", "valid_until": "", "terms": "Net 30"}
    )
    assert resp.status_code in (302, 303)
    proposal = db.exec(select(Proposal).where(Proposal.opportunity_id == opp.id)).one()
    assert resp.headers["Location"].endswith(f"/p/acme-test/invoices/proposals/{proposal.id}")
    login(tenants.acme_admin)
    page = client.get(f"/p/acme-test/invoices/proposals/{proposal.id}").get_data(as_text=True)
    assert "Cameras" in page and "$1,398.00" in page and "Net 30" in page


def test_list_queries_stay_bounded(client, login, db, tenants, count_queries) -> None:
    for i in range(2):
        make_proposal(db, tenants.pm, tenants.acme, name=f"Deal {i}")
    login(tenants.staff_admin)
    with count_queries() as few:
        assert client.get(f"{BASE}/").status_code == 200
    for i in range(8):
        make_proposal(db, tenants.staff_admin, tenants.globex, name=f"More {i}")
    with count_queries() as many:
        assert client.get(f"{BASE}/").status_code == 200
    assert many.count == few.count
