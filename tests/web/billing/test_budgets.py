from __future__ import annotations

from sqlmodel import select

from portal.models import ActivityLog, Budget, Notification
from tests.conftest import assert_both_ways
from tests.factories.billing import make_budget

BASE = "/p/acme-test/invoices/budgets"


def test_list_and_detail_render_both_ways(client, login, db, tenants) -> None:
    budget = make_budget(db, tenants.staff_admin, tenants.acme, project_id=tenants.acme_project.id)
    login(tenants.acme_collab)
    _, part = assert_both_ways(client, BASE)
    assert "Spring campaign" in part and "$4,000.01" in part and "Awaiting approval" in part
    assert "Acme Website" in part and "New budget" not in part
    invoices = client.get("/p/acme-test/invoices").get_data(as_text=True)
    assert f'href="{BASE}"' in invoices  # the Invoices | Budgets sub-nav
    _, part = assert_both_ways(client, f"{BASE}/{budget.id}")
    assert "Video shoot" in part and "$3,000.01" in part and "Approve budget" in part
    assert "Decline budget" in part and "Submit for approval" not in part
    login(tenants.staff_admin)
    _, part = assert_both_ways(client, BASE)
    assert "New budget" in part


def test_viewer_sees_but_cannot_decide(client, login, db, tenants) -> None:
    budget = make_budget(db, tenants.staff_admin, tenants.acme)
    login(tenants.acme_viewer)
    page = client.get(f"{BASE}/{budget.id}").get_data(as_text=True)
    assert "Approve budget" not in page and "awaits approval by a collaborator" in page
    assert client.post(f"{BASE}/{budget.id}/approve").status_code == 403
    db.refresh(budget)
    assert budget.status == "pending_approval"


def test_drafts_are_invisible_to_clients(client, login, db, tenants) -> None:
    draft = make_budget(db, tenants.staff_admin, tenants.acme, submit=False, title="Secret plan")
    login(tenants.acme_admin)
    assert "Secret plan" not in client.get(BASE).get_data(as_text=True)
    assert client.get(f"{BASE}/{draft.id}").status_code == 404
    assert client.post(f"{BASE}/{draft.id}/approve").status_code == 404
    assert "Secret plan" not in client.get("/p/acme-test/activity").get_data(as_text=True)
    login(tenants.staff_admin)
    assert "Secret plan" in client.get(BASE).get_data(as_text=True)


def test_staff_create_edit_submit_then_client_approves(client, login, db, tenants) -> None:
    login(tenants.staff_admin)
    bad = client.post(BASE, data={"title": "", "line_description": ["x"], "line_unit_price": ["1"]})
    assert bad.status_code == 422 and "New budget" in bad.get_data(as_text=True)
    resp = client.post(
        BASE,
        data={
            "title": "Launch budget",
            "currency": "EUR",
            "line_description": ["Strategy", "", "Copy"],
            "line_quantity": ["2", "", "1.5"],
            "line_unit_price": ["100", "", "80"],
        },
    )
    assert resp.status_code == 303
    budget = db.exec(select(Budget).where(Budget.title == "Launch budget")).one()
    assert resp.headers["Location"].endswith(f"/invoices/budgets/{budget.id}")
    assert (budget.status, str(budget.total)) == ("draft", "320.00")
    bad = client.post(
        f"{BASE}/{budget.id}",
        data={"title": "Launch budget", "line_description": ["S"], "line_unit_price": ["abc"]},
    )
    assert bad.status_code == 422 and "unit price as a number" in bad.get_data(as_text=True)
    ok = client.post(
        f"{BASE}/{budget.id}",
        data={
            "title": "Launch budget",
            "currency": "EUR",
            "line_description": ["S"],
            "line_unit_price": ["500"],
        },
    )
    assert ok.status_code == 303
    db.refresh(budget)
    assert str(budget.total) == "500.00"
    sent = client.post(f"{BASE}/{budget.id}/submit", headers={"HX-Request": "true"})
    assert sent.status_code == 204 and sent.headers["HX-Redirect"].endswith(str(budget.id))
    db.refresh(budget)
    assert budget.status == "pending_approval"
    assert db.exec(
        select(Notification).where(
            Notification.type == "budget_pending_approval",
            Notification.user_id == tenants.acme_collab.id,
        )
    ).first()

    login(tenants.acme_collab)
    assert client.post(f"{BASE}/{budget.id}/approve").status_code == 303
    db.refresh(budget)
    assert budget.status == "approved"
    twice = client.post(f"{BASE}/{budget.id}/approve")
    assert twice.status_code == 409 and "already approved" in twice.get_data(as_text=True)
    page = client.get(f"{BASE}/{budget.id}").get_data(as_text=True)
    assert "Approved by" in page and "approved the budget Launch budget" in page
    assert db.exec(
        select(ActivityLog).where(
            ActivityLog.action == "budget_approved", ActivityLog.object_id == budget.id
        )
    ).first()


def test_decline_requires_a_reason(client, login, db, tenants) -> None:
    budget = make_budget(db, tenants.staff_admin, tenants.acme)
    login(tenants.acme_admin)
    bad = client.post(f"{BASE}/{budget.id}/decline", data={"reason": "  "})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Tell the team why" in text and 'id="d-reason"' in text
    part = client.post(
        f"{BASE}/{budget.id}/decline", data={"reason": ""}, headers={"HX-Request": "true"}
    )
    assert part.status_code == 422 and b"<html" not in part.data
    ok = client.post(f"{BASE}/{budget.id}/decline", data={"reason": "Over our limit"})
    assert ok.status_code == 303
    db.refresh(budget)
    assert (budget.status, budget.decline_reason) == ("declined", "Over our limit")
    page = client.get(f"{BASE}/{budget.id}").get_data(as_text=True)
    assert "Over our limit" in page and "Approve budget" not in page


def test_group_parent_sees_children_child_never_the_parent(client, login, db, tenants) -> None:
    parent = make_budget(db, tenants.staff_admin, tenants.acme, title="Parent budget")
    make_budget(db, tenants.staff_admin, tenants.retail, title="Retail budget")
    login(tenants.acme_admin)
    page = client.get(BASE).get_data(as_text=True)
    assert "Parent budget" in page and "Retail budget" in page and "Acme Retail Test" in page
    login(tenants.retail_admin)
    page = client.get("/p/acme-retail-test/invoices/budgets").get_data(as_text=True)
    assert "Retail budget" in page and "Parent budget" not in page
    assert client.get(f"/p/acme-retail-test/invoices/budgets/{parent.id}").status_code == 404


def test_list_query_count_does_not_grow(client, login, db, tenants, count_queries) -> None:
    login(tenants.acme_admin)

    def measure() -> int:
        with count_queries() as q:
            assert client.get(BASE, headers={"HX-Request": "true"}).status_code == 200
        return q.count

    for _ in range(3):
        make_budget(db, tenants.staff_admin, tenants.acme, project_id=tenants.acme_project.id)
    few = measure()
    for i in range(27):
        make_budget(db, tenants.staff_admin, tenants.retail if i % 2 else tenants.acme)
    assert measure() == few <= 12
    budget = make_budget(db, tenants.staff_admin, tenants.acme)
    with count_queries() as q:
        assert client.get(f"{BASE}/{budget.id}").status_code == 200
    assert q.count <= 16


def test_staff_area_lists_searches_and_filters_budgets(client, login, db, tenants) -> None:
    acme = make_budget(db, tenants.staff_admin, tenants.acme, title="Acme rebrand")
    globex = make_budget(db, tenants.staff_admin, tenants.globex, title="Globex launch")
    draft = make_budget(db, tenants.staff_admin, tenants.acme, title="Acme draft", submit=False)
    login(tenants.staff_admin)
    _, page = assert_both_ways(client, "/admin/invoices/budgets")
    for title in ("Acme rebrand", "Globex launch", "Acme draft"):
        assert title in page
    assert f"/p/acme-test/invoices/budgets/{acme.id}" in page
    assert "2 await the client" in page  # the two submitted ones
    assert 'href="/admin/invoices/budgets"' in client.get("/admin/invoices/").get_data(
        as_text=True
    )  # reached from the staff Invoices page
    found = client.get("/admin/invoices/budgets?q=globex").get_data(as_text=True)
    assert "Globex launch" in found and "Acme rebrand" not in found
    drafts = client.get("/admin/invoices/budgets?status=draft").get_data(as_text=True)
    assert "Acme draft" in drafts and "Acme rebrand" not in drafts
    assert f"/p/acme-test/invoices/budgets/{draft.id}" in drafts
    login(tenants.pm)  # assigned to Acme only
    page = client.get("/admin/invoices/budgets").get_data(as_text=True)
    assert "Acme rebrand" in page and "Globex launch" not in page
    assert globex.id is not None
    login(tenants.acme_admin)
    assert client.get("/admin/invoices/budgets").status_code == 404


def test_staff_budget_list_query_count_does_not_grow(
    client, login, db, tenants, count_queries
) -> None:
    login(tenants.staff_admin)

    def measure() -> int:
        with count_queries() as q:
            assert client.get("/admin/invoices/budgets").status_code == 200
        return q.count

    for _ in range(3):
        make_budget(db, tenants.staff_admin, tenants.acme, project_id=tenants.acme_project.id)
    few = measure()
    for i in range(27):
        make_budget(db, tenants.staff_admin, tenants.globex if i % 2 else tenants.acme)
    assert measure() == few <= 12
