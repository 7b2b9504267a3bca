"""Demo invoices: every status (draft, sent, partial, paid, overdue, void), two currencies,
partial payments, for Acme, Acme Retail (the group view shows both) and Globex. Built through
the billing service, so numbers, totals, activity and notifications are the real thing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from portal.models import ActivityLog, Company, Invoice, InvoicePayment, Notification, User
from portal.models.base import utcnow
from portal.models.billing import InvoiceCreate, InvoiceVoid, PaymentCreate
from portal.tenancy import actor_for_user
from portal.validation import validated
from services import billing

INSTRUCTIONS = (
    "Bank transfer to Northwind Studio, IBAN GB33 BUKB 2020 1555 5555 55, "
    "quoting the invoice number."
)

# company slug -> (title, currency, issued days ago, terms in days, lines, payments, final step)
# lines: (description, quantity, unit price, tax %, discount %); step: draft | send | void
INVOICES: dict[str, list[tuple[Any, ...]]] = {
    "acme": [
        (
            "Website redesign: discovery and deposit",
            "USD",
            75,
            30,
            [
                ("Discovery workshop", "1", "2400", "0", "0"),
                ("Design deposit", "1", "5000", "0", "0"),
            ],
            ["7400"],
            "send",
        ),
        (
            "Website redesign: milestone 2",
            "USD",
            18,
            30,
            [
                ("UX and interface design", "36", "125", "8.875", "0"),
                ("Content migration", "12", "95", "8.875", "10"),
            ],
            ["2000"],
            "send",
        ),
        (
            "Q3 SEO audit",
            "USD",
            52,
            21,
            [
                ("Technical SEO audit", "1", "3200", "8.875", "0"),
                ("Keyword research", "8", "110", "8.875", "0"),
            ],
            [],
            "send",
        ),
        (
            "Brand guidelines",
            "USD",
            3,
            30,
            [
                ("Brand guidelines document", "1", "4800", "8.875", "5"),
                ("Icon set", "24", "35", "8.875", "0"),
            ],
            [],
            "send",
        ),
        (
            "Hosting, November",
            "USD",
            1,
            14,
            [
                ("Managed hosting", "1", "149", "0", "0"),
                ("CDN bandwidth (GB)", "420.5", "0.08", "0", "0"),
            ],
            [],
            "draft",
        ),
        (
            "Website redesign: milestone 2 (duplicate)",
            "USD",
            18,
            30,
            [("UX and interface design", "36", "125", "8.875", "0")],
            [],
            "void",
        ),
    ],
    "acme-retail": [
        (
            "Store launch campaign: phase 1",
            "EUR",
            25,
            30,
            [
                ("Campaign strategy", "1", "3500", "19", "0"),
                ("Paid social setup", "1", "1200", "19", "0"),
            ],
            ["2500"],
            "send",
        ),
        (
            "Launch photography",
            "EUR",
            60,
            14,
            [
                ("Product photo shoot (day)", "2", "1400", "19", "0"),
                ("Retouching (images)", "40", "12.5", "19", "0"),
            ],
            [],
            "send",
        ),
        (
            "Store signage",
            "USD",
            40,
            30,
            [("Signage design", "1", "900", "0", "0")],
            ["900"],
            "send",
        ),
    ],
    "globex": [
        (
            "Intranet migration: phase 1",
            "EUR",
            12,
            30,
            [
                ("Migration planning", "5", "980", "21", "0"),
                ("Data mapping", "3", "760", "21", "0"),
            ],
            [],
            "send",
        ),
        (
            "Security review",
            "USD",
            35,
            30,
            [
                ("Penetration test", "1", "6500", "0", "0"),
                ("Report and workshop", "1", "1200", "0", "10"),
            ],
            ["4000", "3080"],
            "send",
        ),
        (
            "Intranet migration: phase 2",
            "EUR",
            0,
            30,
            [("Content migration", "10", "640", "21", "0")],
            [],
            "draft",
        ),
    ],
}


def load_demo_billing(session: Session, *, companies: dict[str, Company], staff: User) -> bool:
    """Create the demo invoices that are missing (by title per company)."""
    actor = actor_for_user(session, staff)
    today = date.today()
    created = False
    for slug, specs in INVOICES.items():
        company = companies[slug]
        assert company.id is not None
        titles = set(
            session.exec(select(Invoice.title).where(Invoice.company_id == company.id)).all()
        )
        for title, currency, issued_ago, terms, lines, payments, step in specs:
            if title in titles:
                continue
            issue = today - timedelta(days=issued_ago)
            data = validated(
                InvoiceCreate,
                {
                    "title": title,
                    "currency": currency,
                    "issue_date": issue,
                    "due_date": issue + timedelta(days=terms),
                    "payment_instructions": INSTRUCTIONS,
                    "lines": [
                        {
                            "description": d,
                            "quantity": q,
                            "unit_price": p,
                            "tax_rate": t,
                            "discount_rate": r,
                        }
                        for d, q, p, t, r in lines
                    ],
                },
            )
            inv = billing.create_invoice(session, actor=actor, company_id=company.id, data=data)
            assert inv.id is not None
            if step == "void":
                billing.send_invoice(session, actor=actor, invoice_id=inv.id)
                billing.void_invoice(
                    session, actor=actor, invoice_id=inv.id, data=InvoiceVoid(reason="Sent twice")
                )
            elif step == "send":
                billing.send_invoice(session, actor=actor, invoice_id=inv.id)
                for i, amount in enumerate(payments):
                    billing.record_payment(
                        session,
                        actor=actor,
                        invoice_id=inv.id,
                        data=PaymentCreate(
                            amount=Decimal(amount),
                            paid_on=min(today, issue + timedelta(days=7 * (i + 1))),
                            method="bank_transfer",
                            reference=f"{inv.number}-{i + 1}",
                        ),
                    )
            _backdate_history(session, inv)
            created = True
    if created:
        # demo history: the "invoice sent" notifications are not waiting to be mailed
        now = utcnow()
        for n in session.exec(
            select(Notification).where(
                Notification.type == "invoice_sent", col(Notification.emailed_at).is_(None)
            )
        ).all():
            n.emailed_at = now
            session.add(n)
        session.flush()
    return created


def _backdate_history(session: Session, invoice: Invoice) -> None:
    """Demo history happens when the invoice says: sent on its issue date, payments on theirs."""
    issued = datetime.combine(invoice.issue_date, time(9, 0), tzinfo=UTC)
    payments = session.exec(
        select(InvoicePayment)
        .where(InvoicePayment.invoice_id == invoice.id)
        .order_by(col(InvoicePayment.id))
    ).all()
    paid = iter(payments)
    rows = session.exec(
        select(ActivityLog)
        .where(
            ActivityLog.object_id == invoice.id,
            col(ActivityLog.object_type).in_(("invoice", "invoice_draft")),
        )
        .order_by(col(ActivityLog.id))
    ).all()
    for row in rows:
        if row.action == "invoice_payment_recorded":
            payment = next(paid, None)
            when = datetime.combine(payment.paid_on, time(14, 0), tzinfo=UTC) if payment else issued
        elif row.action == "invoice_voided":
            when = issued + timedelta(days=1)
        else:
            when = issued
        row.created_at = when
        session.add(row)
    if invoice.sent_at is not None:
        invoice.sent_at = issued
        session.add(invoice)
    session.flush()
