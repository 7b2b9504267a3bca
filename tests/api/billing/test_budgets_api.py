from __future__ import annotations

from sqlmodel import select

from portal.models import ActivityLog, Notification
from tests.api.conftest import assert_envelope, bearer, portal_of
from tests.factories.billing import make_budget


def worker(token: str, company, role: str = "viewer") -> dict[str, str]:
    return bearer(token, **{"X-Portal-Company-Id": company.id, "X-Portal-User-Role": role})


def test_worker_lists_reads_and_approves_group_aware(client, db, tenants, service_token) -> None:
    acme = make_budget(db, tenants.staff_admin, tenants.acme, project_id=tenants.acme_project.id)
    retail = make_budget(db, tenants.staff_admin, tenants.retail, title="Retail", currency="EUR")
    draft = make_budget(db, tenants.staff_admin, tenants.acme, submit=False)
    make_budget(db, tenants.staff_admin, tenants.globex)
    resp = client.get("/api/portal/budgets", headers=worker(service_token, tenants.acme))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["total"] == 2
    by_id = {b["id"]: b for b in body["budgets"]}
    assert set(by_id) == {str(acme.id), str(retail.id)}
    first = by_id[str(acme.id)]
    assert (first["status"], first["total"], first["currency"]) == (
        "pending_approval",
        "4000.01",
        "USD",
    )
    assert first["projectId"] == str(tenants.acme_project.id)
    assert first["companyId"] == str(tenants.acme.id)

    detail = client.get(
        f"/api/portal/budgets/{acme.id}", headers=worker(service_token, tenants.acme)
    ).get_json()
    assert set(detail) == {"budget", "lineItems"}
    assert [li["description"] for li in detail["lineItems"]] == ["Video shoot", "Editing"]
    line = detail["lineItems"][0]
    assert (line["id"], line["quantity"], line["unitPrice"], line["amount"]) == (
        str(line["id"]),
        "2",
        "1500.005",
        "3000.01",
    )
    assert_envelope(
        client.get(f"/api/portal/budgets/{draft.id}", headers=worker(service_token, tenants.acme)),
        404,
    )
    child = worker(service_token, tenants.retail)
    assert client.get("/api/portal/budgets", headers=child).get_json()["total"] == 1
    assert_envelope(client.get(f"/api/portal/budgets/{acme.id}", headers=child), 404)

    url = f"/api/portal/budgets/{acme.id}/approve"
    assert_envelope(client.post(url, headers=worker(service_token, tenants.acme)), 403)
    ok = client.post(url, headers=worker(service_token, tenants.acme, "collaborator"))
    assert ok.status_code == 200 and ok.get_json() == {"ok": True}
    assert_envelope(client.post(url, headers=worker(service_token, tenants.acme, "admin")), 409)
    assert db.exec(
        select(ActivityLog).where(
            ActivityLog.action == "budget_approved", ActivityLog.object_id == acme.id
        )
    ).first()
    assert_envelope(
        client.post(
            f"/api/portal/budgets/{draft.id}/approve",
            headers=worker(service_token, tenants.acme, "admin"),
        ),
        404,
    )


def test_staff_rest_create_update_submit(client, db, tenants, make_key) -> None:
    agency = bearer(make_key(scopes=["invoices:read", "invoices:write"]))
    portal = portal_of(db, tenants.acme)
    resp = client.post(
        f"/api/v1/portals/{portal.id}/budgets",
        json={
            "title": "API budget",
            "currency": "gbp",
            "lines": [{"description": "Audit", "quantity": "3", "unit_price": "99.999"}],
        },
        headers=agency,
    )
    assert resp.status_code == 201, resp.get_json()
    b = resp.get_json()
    assert (b["status"], b["currency"], b["total"]) == ("draft", "GBP", "300.00")
    assert b["line_items"][0]["amount"] == "300.00"
    bid = b["id"]
    patched = client.patch(
        f"/api/v1/budgets/{bid}",
        json={"lines": [{"description": "Audit", "unit_price": "120"}]},
        headers=agency,
    )
    assert patched.status_code == 200 and patched.get_json()["total"] == "120.00"
    bad = client.patch(f"/api/v1/budgets/{bid}", json={"currency": "XXX"}, headers=agency)
    assert "currency" in assert_envelope(bad, 422)["errors"]
    sent = client.post(f"/api/v1/budgets/{bid}/submit", headers=agency)
    assert sent.status_code == 200 and sent.get_json()["status"] == "pending_approval"
    assert db.exec(
        select(Notification).where(Notification.type == "budget_pending_approval")
    ).first()
    assert_envelope(client.post(f"/api/v1/budgets/{bid}/submit", headers=agency), 409)
    assert_envelope(
        client.patch(f"/api/v1/budgets/{bid}", json={"title": "x"}, headers=agency), 409
    )
    listed = client.get(f"/api/v1/portals/{portal.id}/budgets", headers=agency).get_json()
    assert [i["id"] for i in listed["items"]] == [bid] and listed["total"] == 1


def test_scopes(client, db, tenants, make_key) -> None:
    portal = portal_of(db, tenants.acme)
    reader = bearer(make_key(scopes=["invoices:read"]))
    assert client.get(f"/api/v1/portals/{portal.id}/budgets", headers=reader).status_code == 200
    assert_envelope(
        client.post(f"/api/v1/portals/{portal.id}/budgets", json={"title": "x"}, headers=reader),
        403,
    )
    nobody = bearer(make_key(scopes=["tasks:read"]))
    assert_envelope(client.get(f"/api/v1/portals/{portal.id}/budgets", headers=nobody), 403)
