from __future__ import annotations

import io
from datetime import date, timedelta

from pypdf import PdfReader
from sqlmodel import select

from portal.models import Invoice, Note, Notification
from portal.tenancy import actor_for_user
from services import billing as service
from tests.conftest import assert_both_ways
from tests.factories.billing import make_invoice

BASE = "/p/acme-test/invoices"


def test_list_and_detail_render_both_ways(client, login, db, tenants) -> None:
    inv = make_invoice(db, tenants.staff_admin, tenants.acme, title="Retainer", payments=["100"])
    login(tenants.acme_viewer)
    full, part = assert_both_ways(client, BASE)
    assert inv.number in part and "Retainer" in part and "Part paid" in part
    assert "<title>Invoices" in part and "Outstanding" in part
    assert "New invoice" not in part
    _, part = assert_both_ways(client, f"{BASE}/{inv.id}")
    assert "Design sprint" in part and "$3,044.99" in part and "$2,944.99" in part
    assert "Download PDF" in part and "Record a payment" not in part
    login(tenants.staff_admin)
    _, part = assert_both_ways(client, BASE)
    assert "New invoice" in part
    _, part = assert_both_ways(client, f"{BASE}/{inv.id}")
    assert "Record a payment" in part and "Void invoice" not in part  # paid something: no void


def test_empty_state_says_what_happens(client, login, tenants) -> None:
    login(tenants.acme_admin)
    page = client.get(BASE).get_data(as_text=True)
    assert "No invoices yet" in page and "appears here" in page


def test_list_filters_searches_sorts_and_pages(client, login, db, tenants) -> None:
    for i in range(22):
        make_invoice(db, tenants.staff_admin, tenants.acme, title=f"Month {i:02d}")
    late = make_invoice(db, tenants.staff_admin, tenants.acme, title="Late one", overdue=True)
    paid = make_invoice(
        db,
        tenants.staff_admin,
        tenants.acme,
        title="Settled",
        lines=[{"description": "Audit", "unit_price": "10"}],
        payments=["10"],
    )
    login(tenants.acme_admin)
    page = client.get(f"{BASE}?status=overdue").get_data(as_text=True)
    assert late.number in page and paid.number not in page
    page = client.get(f"{BASE}?q=settled").get_data(as_text=True)
    assert paid.number in page and late.number not in page
    page = client.get(f"{BASE}?status=paid").get_data(as_text=True)
    assert "Settled" in page and "Month 01" not in page
    first = client.get(BASE).get_data(as_text=True)
    assert "Page 1 of 2" in first
    by_due = client.get(f"{BASE}?sort=due").get_data(as_text=True)
    assert by_due.index(late.number) < by_due.index("Month 00")
    second = client.get(f"{BASE}?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second


def test_group_parent_sees_children_child_never_the_parent(client, login, db, tenants) -> None:
    parent_inv = make_invoice(db, tenants.staff_admin, tenants.acme, title="Parent work")
    child_inv = make_invoice(db, tenants.staff_admin, tenants.retail, title="Retail work")
    login(tenants.acme_admin)
    page = client.get(BASE).get_data(as_text=True)
    assert "Parent work" in page and "Retail work" in page and "Acme Retail Test" in page
    assert client.get(f"{BASE}/{child_inv.id}").status_code == 200
    login(tenants.retail_admin)
    page = client.get("/p/acme-retail-test/invoices").get_data(as_text=True)
    assert "Retail work" in page and "Parent work" not in page
    assert client.get(f"/p/acme-retail-test/invoices/{parent_inv.id}").status_code == 404
    login(tenants.globex_admin)
    assert client.get(f"/p/globex-test/invoices/{parent_inv.id}").status_code == 404


def test_a_draft_is_visible_in_no_client_response(client, login, db, tenants) -> None:
    draft = make_invoice(db, tenants.staff_admin, tenants.acme, send=False, title="Secret draft")
    urls = [f"{BASE}/{draft.id}", f"{BASE}/{draft.id}/pdf", f"/api/portal/invoices/{draft.id}"]
    for user in (tenants.acme_admin, tenants.acme_viewer):
        login(user)
        for url in urls:
            assert client.get(url).status_code == 404, url
        page = client.get(BASE).get_data(as_text=True)
        assert draft.number not in page and "Secret draft" not in page
        page = client.get(f"{BASE}?status=draft").get_data(as_text=True)
        assert draft.number not in page
        assert draft.number not in client.get("/p/acme-test/dashboard").get_data(as_text=True)
        assert draft.number not in client.get("/p/acme-test/activity").get_data(as_text=True)
        api = client.get("/api/portal/invoices").get_json()
        assert api["invoices"] == []
        financial = client.get("/api/portal/dashboard").get_json()["financial"]
        assert financial["total_invoiced"] == "0.00"
        assert client.post(f"{BASE}/{draft.id}/notes", data={"body": "hi"}).status_code in (
            403,
            404,
        )
    login(tenants.staff_admin)
    assert client.get(f"{BASE}/{draft.id}").status_code == 200
    assert client.get(f"{BASE}/{draft.id}/pdf").status_code == 200


def test_staff_draft_edit_send_pay_and_void_over_http(client, login, db, tenants) -> None:
    login(tenants.staff_admin)
    resp = client.post(
        BASE,
        data={
            "title": "Launch",
            "currency": "EUR",
            "line_description": ["Strategy", "", "Copy"],
            "line_quantity": ["2", "", "1.5"],
            "line_unit_price": ["100", "", "80"],
            "line_tax_rate": ["20", "", ""],
            "line_discount_rate": ["", "", "50"],
        },
    )
    assert resp.status_code == 303
    inv = db.exec(select(Invoice).where(Invoice.title == "Launch")).one()
    assert resp.headers["Location"].endswith(f"/invoices/{inv.id}")
    # 200 + 40 tax; 120 − 60 = 60
    assert (inv.status, str(inv.total)) == ("draft", "300.00")
    bad = client.post(
        f"{BASE}/{inv.id}",
        data={"line_description": ["Strategy"], "line_unit_price": ["abc"], "currency": "EUR"},
    )
    assert bad.status_code == 422 and "unit price as a number" in bad.get_data(as_text=True)
    bad = client.post(
        f"{BASE}/{inv.id}", data={"issue_date": "2026-05-10", "due_date": "2026-05-01"}
    )
    assert bad.status_code == 422 and "before the issue date" in bad.get_data(as_text=True)
    ok = client.post(
        f"{BASE}/{inv.id}",
        data={"currency": "EUR", "line_description": ["Strategy"], "line_unit_price": ["500"]},
    )
    assert ok.status_code == 303, ok.get_data(as_text=True)[-3000:]
    db.refresh(inv)
    assert str(inv.total) == "500.00"
    assert client.post(f"{BASE}/{inv.id}/send").status_code == 303
    db.refresh(inv)
    assert inv.status == "sent"
    assert db.exec(select(Notification).where(Notification.type == "invoice_sent")).first()
    again = client.post(f"{BASE}/{inv.id}", data={"title": "changed"})
    assert again.status_code == 409 and "Only a draft" in again.get_data(as_text=True)
    over = client.post(f"{BASE}/{inv.id}/payments", data={"amount": "600"})
    assert over.status_code == 422 and "more than the balance" in over.get_data(as_text=True)
    paid = client.post(
        f"{BASE}/{inv.id}/payments",
        data={"amount": "200", "method": "card", "reference": "CH-1", "paid_on": "2026-11-01"},
    )
    assert paid.status_code == 303
    page = client.get(f"{BASE}/{inv.id}").get_data(as_text=True)
    assert "€300.00" in page and "CH-1" in page and "Part paid" in page
    other = make_invoice(db, tenants.staff_admin, tenants.acme)
    assert client.post(f"{BASE}/{other.id}/void", data={"reason": "Duplicate"}).status_code == 303
    db.refresh(other)
    assert other.status == "void"


def test_clients_cannot_bill(client, login, db, tenants) -> None:
    inv = make_invoice(db, tenants.staff_admin, tenants.acme)
    login(tenants.acme_admin)
    assert client.post(BASE, data={"title": "x"}).status_code == 403
    assert client.post(f"{BASE}/{inv.id}/send").status_code == 403
    assert client.post(f"{BASE}/{inv.id}/payments", data={"amount": "1"}).status_code == 403
    assert client.post(f"{BASE}/{inv.id}/void").status_code == 403
    login(tenants.acme_viewer)
    assert client.post(f"{BASE}/{inv.id}/notes", data={"body": "hi"}).status_code == 403


def test_client_notes_thread_on_an_invoice(client, login, db, tenants) -> None:
    inv = make_invoice(db, tenants.staff_admin, tenants.acme)
    login(tenants.acme_collab)
    resp = client.post(f"{BASE}/{inv.id}/notes", data={"body": "Can we pay in two parts?"})
    assert resp.status_code == 303
    note = db.exec(select(Note).where(Note.resource_type == "invoice")).one()
    assert note.resource_id == inv.id and not note.is_internal
    page = client.get(f"{BASE}/{inv.id}").get_data(as_text=True)
    assert "Can we pay in two parts?" in page
    assert "Can we pay in two parts?" in client.get("/p/acme-test/notes").get_data(as_text=True)
    staff = actor_for_user(db, tenants.staff_admin)
    draft = make_invoice(db, tenants.staff_admin, tenants.acme, send=False)
    login(tenants.staff_admin)
    refused = client.post(f"{BASE}/{draft.id}/notes", data={"body": "for the client"})
    assert refused.status_code == 409
    assert (
        client.post(
            f"{BASE}/{draft.id}/notes", data={"body": "check VAT", "is_internal": "1"}
        ).status_code
        == 303
    )
    assert service.get_invoice(db, actor=staff, invoice_id=draft.id)


def test_pdf_has_the_invoice_text(client, login, db, tenants) -> None:
    inv = make_invoice(
        db,
        tenants.staff_admin,
        tenants.acme,
        title="Q4 retainer",
        currency="EUR",
        payments=["1000"],
        payment_instructions="IBAN DE00 1234, quote the invoice number",
    )
    login(tenants.acme_viewer)
    resp = client.get(f"{BASE}/{inv.id}/pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert f"{inv.number}.pdf" in resp.headers["Content-Disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.data)).pages)
    for expected in (
        "INVOICE",
        inv.number,
        "Acme Test",
        "Design sprint",
        "Hosting",
        "Total",
        "3,044.99",
        "Balance due",
        "2,044.99",
        "IBAN DE00 1234",
        "PART PAID",
    ):
        assert expected in text, expected


def test_list_query_count_does_not_grow(client, login, db, tenants, count_queries) -> None:
    login(tenants.acme_admin)

    def measure() -> int:
        with count_queries() as q:
            assert client.get(BASE, headers={"HX-Request": "true"}).status_code == 200
        return q.count

    for _ in range(3):
        make_invoice(db, tenants.staff_admin, tenants.acme, payments=["5"])
    few = measure()
    for i in range(27):
        make_invoice(db, tenants.staff_admin, tenants.retail if i % 2 else tenants.acme)
    assert measure() == few <= 12
    inv = make_invoice(db, tenants.staff_admin, tenants.acme, payments=["1", "2", "3"])
    with count_queries() as q:
        assert client.get(f"{BASE}/{inv.id}").status_code == 200
    assert q.count <= 16


def test_overdue_shows_as_overdue(client, login, db, tenants) -> None:
    make_invoice(
        db,
        tenants.staff_admin,
        tenants.acme,
        issue_date=date.today() - timedelta(days=40),
        due_date=date.today() - timedelta(days=10),
    )
    login(tenants.acme_admin)
    page = client.get(BASE).get_data(as_text=True)
    assert 'badge-overdue">Overdue' in page and "money-tile-alert" in page


def test_dashboard_shows_the_financial_summary(client, login, db, tenants, count_queries) -> None:
    make_invoice(db, tenants.staff_admin, tenants.acme, payments=["44.99"])
    make_invoice(db, tenants.staff_admin, tenants.retail, overdue=True)
    make_invoice(db, tenants.staff_admin, tenants.acme, send=False)  # a draft counts nowhere
    make_invoice(
        db,
        tenants.staff_admin,
        tenants.acme,
        currency="EUR",
        lines=[{"description": "Ads", "unit_price": "10"}],
    )
    login(tenants.acme_admin)
    page = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    assert "Billing" in page
    assert "$6,089.98" in page and "$6,044.99" in page and "$3,044.99" in page
    assert "€10.00" in page
    body = client.get("/api/portal/dashboard").get_json()["financial"]
    assert body["currency"] == "USD"
    assert (body["total_invoiced"], body["total_outstanding"], body["total_overdue"]) == (
        "6089.98",
        "6044.99",
        "3044.99",
    )
    assert [c["currency"] for c in body["byCurrency"]] == ["USD", "EUR"]
    login(tenants.retail_admin)
    child = client.get("/api/portal/dashboard").get_json()["financial"]
    assert child["total_invoiced"] == child["total_overdue"] == "3044.99"


def test_staff_area_lists_invoices_across_portals(client, login, db, tenants) -> None:
    acme = make_invoice(db, tenants.staff_admin, tenants.acme, title="Acme work")
    globex = make_invoice(db, tenants.staff_admin, tenants.globex, title="Globex work")
    draft = make_invoice(db, tenants.staff_admin, tenants.acme, send=False)
    login(tenants.staff_admin)
    _, page = assert_both_ways(client, "/admin/invoices/")
    assert acme.number in page and globex.number in page and draft.number in page
    assert f"/p/acme-test/invoices/{acme.id}" in page
    login(tenants.pm)  # assigned to Acme only
    page = client.get("/admin/invoices/").get_data(as_text=True)
    assert acme.number in page and globex.number not in page
    login(tenants.acme_admin)
    assert client.get("/admin/invoices/").status_code == 404


def test_the_list_is_kept_until_an_invoice_changes(client, login, db, tenants) -> None:
    """A repeat visit is answered from the page cache; a new invoice shows on the next one."""
    from portal.web.pagecache import CACHE_HEADER

    make_invoice(db, tenants.staff_admin, tenants.acme, title="First retainer")
    login(tenants.acme_admin)
    client.get("/p/acme-test/activity")  # the first answer settles the session (CSRF secret)
    for headers in ({}, {"HX-Request": "true"}):
        first, again = client.get(BASE, headers=headers), client.get(BASE, headers=headers)
        assert (first.headers.get(CACHE_HEADER), again.headers.get(CACHE_HEADER)) == (
            "miss",
            "hit",
        )
        assert again.get_data() == first.get_data()
    new = make_invoice(db, tenants.staff_admin, tenants.acme, title="Second retainer")
    after = client.get(BASE)
    assert after.headers.get(CACHE_HEADER) == "miss" and new.number in after.get_data(True)
