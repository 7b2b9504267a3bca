from __future__ import annotations

from datetime import date

from sqlmodel import func, select

from portal.models import Company, Invoice, InvoicePayment, User
from portal.tenancy import actor_for_user
from services.billing.queries import financial_summary, list_invoices


def test_demo_invoices_cover_every_status_two_currencies_and_the_group(app, db) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    count = db.exec(select(func.count()).select_from(Invoice)).one()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.exec(select(func.count()).select_from(Invoice)).one() == count
    invoices = db.exec(select(Invoice)).all()
    today = date.today()
    assert {i.display_status(today) for i in invoices} == {
        "draft", "sent", "partial", "paid", "overdue", "void",
    }  # fmt: skip
    assert {i.currency for i in invoices} == {"USD", "EUR"}
    partial = [i for i in invoices if i.status == "partial"]
    assert partial and db.exec(select(func.count()).select_from(InvoicePayment)).one() >= 4
    slugs = {c.id: c.slug for c in db.exec(select(Company)).all()}
    assert {slugs[i.company_id] for i in invoices} == {"acme", "acme-retail", "globex"}
    owner = db.exec(select(User).where(User.email == "owner@acme.test")).one()
    actor = actor_for_user(db, owner)
    listed = list_invoices(db, actor=actor, per_page=100)
    assert {r.company_name for r in listed.rows} == {"Acme Corp", "Acme Retail"}
    assert "draft" not in {r.status for r in listed.rows}
    assert {s.currency for s in financial_summary(db, actor=actor)} == {"USD", "EUR"}
