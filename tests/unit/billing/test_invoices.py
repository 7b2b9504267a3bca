from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, select

from portal.db import make_engine
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.migrations import downgrade, upgrade
from portal.models import ActivityLog, Invoice, InvoiceLine, Notification
from portal.models.billing import (
    InvoiceUpdate,
    InvoiceVoid,
    PaymentCreate,
    format_amount,
    round_money,
)
from portal.tenancy import actor_for_user
from portal.validation import validated
from services import billing as service
from services.billing.amounts import line_amounts
from services.billing.queries import financial_summary, list_invoices
from tests.conftest import scratch_database_url
from tests.factories.billing import make_invoice


def test_rounding_is_half_up_to_the_currency_minor_unit() -> None:
    assert round_money(Decimal("0.005"), "USD") == Decimal("0.01")
    assert round_money(Decimal("0.015"), "EUR") == Decimal("0.02")
    assert round_money(Decimal("2.5"), "JPY") == Decimal("3")
    assert round_money(Decimal("1.0005"), "KWD") == Decimal("1.001")
    assert format_amount(Decimal("1234.5"), "USD") == "$1,234.50"
    assert format_amount(Decimal("1234"), "JPY") == "¥1,234"
    assert format_amount(Decimal("1.5"), "KWD") == "1.500 KWD"


def test_line_discount_comes_off_before_tax() -> None:
    line = line_amounts(
        quantity=Decimal("3"),
        unit_price=Decimal("33.335"),
        tax_rate=Decimal("20"),
        discount_rate=Decimal("10"),
        currency="USD",
    )
    # 3 × 33.335 = 100.005 → 100.01; 10 % → 10.00 (10.001); tax 20 % of 90.01 = 18.002 → 18.00
    assert (line.subtotal, line.discount, line.tax, line.total) == (
        Decimal("100.01"),
        Decimal("10.00"),
        Decimal("18.00"),
        Decimal("108.01"),
    )


def test_create_computes_totals_and_numbers_never_repeat(db, tenants) -> None:
    first = make_invoice(db, tenants.staff_admin, tenants.acme, send=False)
    second = make_invoice(db, tenants.staff_admin, tenants.globex, send=False)
    assert second.sequence == first.sequence + 1
    assert first.number.startswith("INV-") and first.number != second.number
    # 2 × 1250 = 2500 + 20 % tax 500; 49.99 − 10 % (5.00) = 44.99
    assert first.subtotal == Decimal("2549.99")
    assert first.discount_total == Decimal("5.00")
    assert first.tax_total == Decimal("500.00")
    assert first.total == Decimal("3044.99")
    # voiding keeps the number taken: the next one moves on
    service.void_invoice(
        db,
        actor=actor_for_user(db, tenants.staff_admin),
        invoice_id=second.id,
        data=InvoiceVoid(),
    )
    third = make_invoice(db, tenants.staff_admin, tenants.acme, send=False)
    assert third.sequence == second.sequence + 1


def test_only_a_draft_is_edited_and_payments_move_the_status(db, tenants) -> None:
    staff = actor_for_user(db, tenants.staff_admin)
    inv = make_invoice(db, tenants.staff_admin, tenants.acme, send=False)
    service.update_invoice(
        db,
        actor=staff,
        invoice_id=inv.id,
        data=validated(
            InvoiceUpdate,
            {"currency": "JPY", "lines": [{"description": "Ad spend", "unit_price": "10000"}]},
        ),
    )
    assert (inv.currency, inv.total) == ("JPY", Decimal("10000"))
    with pytest.raises(Conflict):
        service.record_payment(
            db, actor=staff, invoice_id=inv.id, data=PaymentCreate(amount=Decimal(1))
        )
    service.send_invoice(db, actor=staff, invoice_id=inv.id)
    with pytest.raises(Conflict):
        service.update_invoice(
            db, actor=staff, invoice_id=inv.id, data=validated(InvoiceUpdate, {"title": "x"})
        )
    with pytest.raises(Invalid) as fraction:
        service.record_payment(
            db, actor=staff, invoice_id=inv.id, data=PaymentCreate(amount=Decimal("0.5"))
        )
    assert "0 decimal places" in fraction.value.errors["amount"][0]
    service.record_payment(
        db, actor=staff, invoice_id=inv.id, data=PaymentCreate(amount=Decimal(4000))
    )
    assert (inv.status, inv.balance) == ("partial", Decimal(6000))
    with pytest.raises(Invalid):
        service.record_payment(
            db, actor=staff, invoice_id=inv.id, data=PaymentCreate(amount=Decimal(6001))
        )
    with pytest.raises(Conflict):
        service.void_invoice(db, actor=staff, invoice_id=inv.id, data=InvoiceVoid())
    service.record_payment(
        db, actor=staff, invoice_id=inv.id, data=PaymentCreate(amount=Decimal(6000))
    )
    assert (inv.status, inv.balance) == ("paid", Decimal(0))


def test_send_notifies_the_company_contacts_and_logs_client_visible_activity(db, tenants) -> None:
    inv = make_invoice(db, tenants.staff_admin, tenants.acme, send=False)
    drafted = db.exec(select(ActivityLog).where(ActivityLog.object_id == inv.id)).all()
    assert {a.object_type for a in drafted} == {"invoice_draft"}
    service.send_invoice(db, actor=actor_for_user(db, tenants.staff_admin), invoice_id=inv.id)
    notified = set(
        db.exec(select(Notification.user_id).where(Notification.type == "invoice_sent")).all()
    )
    assert notified == {tenants.acme_admin.id, tenants.acme_collab.id, tenants.acme_viewer.id}
    sent = db.exec(
        select(ActivityLog).where(
            ActivityLog.object_id == inv.id, ActivityLog.action == "invoice_sent"
        )
    ).one()
    assert sent.object_type == "invoice"


def test_clients_and_pms_cannot_bill(db, tenants) -> None:
    inv = make_invoice(db, tenants.staff_admin, tenants.acme)
    with pytest.raises(Forbidden):
        service.void_invoice(
            db, actor=actor_for_user(db, tenants.pm), invoice_id=inv.id, data=InvoiceVoid()
        )
    with pytest.raises(Forbidden):
        service.record_payment(
            db,
            actor=actor_for_user(db, tenants.acme_admin),
            invoice_id=inv.id,
            data=PaymentCreate(amount=Decimal(1)),
        )


def test_drafts_do_not_exist_for_clients(db, tenants) -> None:
    draft = make_invoice(db, tenants.staff_admin, tenants.acme, send=False)
    client = actor_for_user(db, tenants.acme_admin)
    with pytest.raises(NotFound):
        service.get_invoice(db, actor=client, invoice_id=draft.id)
    assert list_invoices(db, actor=client).page.total == 0
    assert financial_summary(db, actor=client) == []
    # voided before it was ever sent: still never shown
    service.void_invoice(
        db, actor=actor_for_user(db, tenants.staff_admin), invoice_id=draft.id, data=InvoiceVoid()
    )
    assert list_invoices(db, actor=client).page.total == 0


def test_overdue_is_derived_at_read_time(db, tenants) -> None:
    inv = make_invoice(
        db,
        tenants.staff_admin,
        tenants.acme,
        issue_date=date.today() - timedelta(days=10),
        due_date=date.today(),
        payments=["100.00"],
    )
    client = actor_for_user(db, tenants.acme_admin)
    assert inv.status == "partial" and inv.display_status(date.today()) == "partial"
    tomorrow = date.today() + timedelta(days=1)
    assert inv.display_status(tomorrow) == "overdue"
    assert list_invoices(db, actor=client, status="overdue", today=tomorrow).page.total == 1
    assert list_invoices(db, actor=client, status="partial", today=tomorrow).page.total == 0
    (summary,) = financial_summary(db, actor=client, today=tomorrow)
    assert summary.overdue == inv.balance == summary.outstanding
    assert db.exec(select(Invoice.status).where(Invoice.id == inv.id)).one() == "partial"


def test_group_parent_sees_children_child_never_the_parent(db, tenants) -> None:
    make_invoice(db, tenants.staff_admin, tenants.acme, currency="EUR")
    make_invoice(db, tenants.staff_admin, tenants.retail)
    parent = actor_for_user(db, tenants.acme_admin)
    child = actor_for_user(db, tenants.retail_admin)
    assert list_invoices(db, actor=parent).page.total == 2
    assert list_invoices(db, actor=child).page.total == 1
    assert {s.currency for s in financial_summary(db, actor=parent)} == {"EUR", "USD"}
    assert [s.currency for s in financial_summary(db, actor=child)] == ["USD"]


def test_line_rows_match_the_invoice(db, tenants) -> None:
    inv = make_invoice(db, tenants.staff_admin, tenants.acme)
    lines = db.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == inv.id)).all()
    assert sum(ln.total_minor for ln in lines) == inv.total_minor
    assert lines[0].quantity == Decimal(2) and lines[1].unit_price == Decimal("49.99")


def test_numbering_is_safe_under_concurrency() -> None:
    """Two transactions taking numbers at once on a real database: distinct, gap-free."""
    url, drop = scratch_database_url("stoa_inv")
    try:
        upgrade(url)
        engine = make_engine(url)
        with Session(engine) as s:
            service.next_number(s)
            s.commit()
        taken: list[int] = []
        errors: list[BaseException] = []

        def take() -> None:
            try:
                for _ in range(10):
                    with Session(engine) as s:
                        taken.append(service.next_number(s)[0])
                        s.commit()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        workers = [threading.Thread(target=take) for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert not errors
        assert sorted(taken) == list(range(2, 32))
        engine.dispose()
        # the migration goes down and up again cleanly
        downgrade(url, "e7a1c2d4b5f6")
        engine = make_engine(url)
        assert not {"invoice", "invoice_line", "invoice_payment", "invoice_counter"} & set(
            inspect(engine).get_table_names()
        )
        engine.dispose()
        upgrade(url)
    finally:
        drop()


def test_overdue_reminder_goes_out_once_per_invoice(app, db, tenants) -> None:
    from services.billing.overdue import notify_overdue

    late = make_invoice(db, tenants.staff_admin, tenants.acme, overdue=True)
    make_invoice(db, tenants.staff_admin, tenants.globex, overdue=True, payments=["3044.99"])
    make_invoice(db, tenants.staff_admin, tenants.acme, overdue=True, send=False)  # a draft
    make_invoice(db, tenants.staff_admin, tenants.acme)  # not due yet
    assert notify_overdue(db) == 1
    reminded = db.exec(select(Notification).where(Notification.type == "invoice_overdue")).all()
    assert {n.user_id for n in reminded} == {
        tenants.acme_admin.id,
        tenants.acme_collab.id,
        tenants.acme_viewer.id,
    }
    assert reminded[0].title == f"Invoice {late.number} is overdue"
    assert reminded[0].url == f"/p/acme-test/invoices/{late.id}"
    assert notify_overdue(db) == 0
    assert notify_overdue(db, today=date.today() + timedelta(days=90)) == 1  # the one not due yet
    result = app.test_cli_runner().invoke(args=["invoices", "notify-overdue"])
    assert result.exit_code == 0 and "0 overdue invoice(s) announced." in result.output
