from __future__ import annotations

from sqlmodel import select

from portal.models import Notification
from tests.api.conftest import assert_envelope, bearer, portal_of
from tests.factories.billing import make_invoice


def worker(token: str, company, role: str = "viewer", **extra) -> dict[str, str]:
    return bearer(token, **{"X-Portal-Company-Id": company.id, "X-Portal-User-Role": role}, **extra)


def test_worker_lists_and_reads_invoices_group_aware(client, db, tenants, service_token) -> None:
    acme = make_invoice(db, tenants.staff_admin, tenants.acme, payments=["44.99"])
    retail = make_invoice(db, tenants.staff_admin, tenants.retail, overdue=True, currency="EUR")
    make_invoice(db, tenants.staff_admin, tenants.acme, send=False)  # a draft
    make_invoice(db, tenants.staff_admin, tenants.globex)
    resp = client.get("/api/portal/invoices", headers=worker(service_token, tenants.acme))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["total"] == 2
    by_number = {i["number"]: i for i in body["invoices"]}
    assert set(by_number) == {acme.number, retail.number}
    first = by_number[acme.number]
    assert first["id"] == str(acme.id) and first["companyId"] == str(tenants.acme.id)
    assert (first["status"], first["total"], first["balance"]) == ("partial", "3044.99", "3000.00")
    assert by_number[retail.number]["status"] == "overdue"
    overdue = client.get(
        "/api/portal/invoices?status=overdue", headers=worker(service_token, tenants.acme)
    ).get_json()
    assert [i["number"] for i in overdue["invoices"]] == [retail.number]

    detail = client.get(
        f"/api/portal/invoices/{acme.id}", headers=worker(service_token, tenants.acme)
    ).get_json()
    assert set(detail) == {"invoice", "lineItems", "payments"}
    assert [li["description"] for li in detail["lineItems"]] == ["Design sprint", "Hosting"]
    line = detail["lineItems"][0]
    assert (line["quantity"], line["unitPrice"], line["tax"], line["total"]) == (
        "2",
        "1250",
        "500.00",
        "3000.00",
    )
    assert [p["amount"] for p in detail["payments"]] == ["44.99"]
    assert isinstance(detail["payments"][0]["id"], str)

    child = worker(service_token, tenants.retail)
    assert client.get("/api/portal/invoices", headers=child).get_json()["total"] == 1
    assert_envelope(client.get(f"/api/portal/invoices/{acme.id}", headers=child), 404)


def test_worker_never_sees_a_draft(client, db, tenants, service_token) -> None:
    draft = make_invoice(db, tenants.staff_admin, tenants.acme, send=False)
    headers = worker(service_token, tenants.acme, role="admin")
    assert client.get("/api/portal/invoices", headers=headers).get_json()["invoices"] == []
    assert_envelope(client.get(f"/api/portal/invoices/{draft.id}", headers=headers), 404)
    note = client.post(
        "/api/portal/notes",
        json={"resourceType": "invoice", "resourceId": str(draft.id), "content": "hi"},
        headers=worker(service_token, tenants.acme, role="collaborator"),
    )
    assert_envelope(note, 404)


def test_worker_notes_accept_invoices(client, db, tenants, service_token) -> None:
    inv = make_invoice(db, tenants.staff_admin, tenants.acme)
    resp = client.post(
        "/api/portal/notes",
        json={
            "resourceType": "invoice",
            "resourceId": str(inv.id),
            "content": "Paid by wire today",
            "portalUserId": str(tenants.acme_collab.id),
        },
        headers=worker(service_token, tenants.acme, role="collaborator"),
    )
    assert resp.status_code == 201, resp.get_json()


def test_staff_rest_create_update_send_pay_void(client, db, tenants, make_key) -> None:
    agency = bearer(make_key(scopes=["invoices:read", "invoices:write"]))
    portal = portal_of(db, tenants.acme)
    resp = client.post(
        f"/api/v1/portals/{portal.id}/invoices",
        json={
            "title": "API invoice",
            "currency": "gbp",
            "lines": [{"description": "Audit", "quantity": "3", "unit_price": "99.999"}],
        },
        headers=agency,
    )
    assert resp.status_code == 201, resp.get_json()
    inv = resp.get_json()
    assert (inv["status"], inv["currency"], inv["total"]) == ("draft", "GBP", "300.00")
    assert inv["line_items"][0]["subtotal"] == "300.00"
    iid = inv["id"]
    patched = client.patch(
        f"/api/v1/invoices/{iid}",
        json={"lines": [{"description": "Audit", "unit_price": "120", "tax_rate": "20"}]},
        headers=agency,
    )
    assert patched.status_code == 200 and patched.get_json()["total"] == "144.00"
    assert patched.get_json()["title"] == "API invoice"
    bad = client.patch(f"/api/v1/invoices/{iid}", json={"currency": "XXX"}, headers=agency)
    assert "currency" in assert_envelope(bad, 422)["errors"]
    sent = client.post(f"/api/v1/invoices/{iid}/send", headers=agency)
    assert sent.status_code == 200 and sent.get_json()["status"] == "sent"
    assert db.exec(select(Notification).where(Notification.type == "invoice_sent")).first()
    assert_envelope(client.post(f"/api/v1/invoices/{iid}/send", headers=agency), 409)
    assert_envelope(
        client.patch(f"/api/v1/invoices/{iid}", json={"title": "x"}, headers=agency), 409
    )
    over = client.post(f"/api/v1/invoices/{iid}/payments", json={"amount": "145"}, headers=agency)
    assert "amount" in assert_envelope(over, 422)["errors"]
    paid = client.post(
        f"/api/v1/invoices/{iid}/payments",
        json={"amount": "44", "method": "card", "reference": "r-1"},
        headers=agency,
    )
    assert paid.status_code == 201 and paid.get_json()["amount"] == "44.00"
    got = client.get(f"/api/v1/invoices/{iid}", headers=agency).get_json()
    assert (got["status"], got["balance"], len(got["payments"])) == ("partial", "100.00", 1)
    assert_envelope(client.post(f"/api/v1/invoices/{iid}/void", json={}, headers=agency), 409)
    listed = client.get(f"/api/v1/portals/{portal.id}/invoices", headers=agency).get_json()
    assert [i["id"] for i in listed["items"]] == [iid] and listed["total"] == 1


def test_scopes_and_company_keys(client, db, tenants, make_key) -> None:
    draft = make_invoice(db, tenants.staff_admin, tenants.acme, send=False)
    sent = make_invoice(db, tenants.staff_admin, tenants.acme)
    portal = portal_of(db, tenants.acme)
    reader = bearer(make_key(scopes=["invoices:read"]))
    assert_envelope(
        client.post(f"/api/v1/invoices/{draft.id}/send", headers=reader),
        403,
        "insufficient_scope",
    )
    nothing = bearer(make_key(scopes=["tasks:read"]))
    assert_envelope(client.get(f"/api/v1/invoices/{sent.id}", headers=nothing), 403)
    company = bearer(make_key(tenants.acme))
    assert client.get(f"/api/v1/invoices/{sent.id}", headers=company).status_code == 200
    assert_envelope(client.get(f"/api/v1/invoices/{draft.id}", headers=company), 404)
    listed = client.get(f"/api/v1/portals/{portal.id}/invoices", headers=company).get_json()
    assert [i["id"] for i in listed["items"]] == [sent.id]
    assert_envelope(client.post(f"/api/v1/invoices/{sent.id}/void", json={}, headers=company), 403)
    globex = bearer(make_key(tenants.globex))
    assert_envelope(client.get(f"/api/v1/invoices/{sent.id}", headers=globex), 404)
