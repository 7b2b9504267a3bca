"""Helpers that build invoices through the billing service (so tests see real state)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from portal.models import Company, Invoice, User
from portal.models.billing import InvoiceCreate, PaymentCreate
from portal.tenancy import actor_for_user
from portal.validation import validated
from services import billing as service

LINES: list[dict[str, Any]] = [
    {"description": "Design sprint", "quantity": "2", "unit_price": "1250.00", "tax_rate": "20"},
    {"description": "Hosting", "quantity": "1", "unit_price": "49.99", "discount_rate": "10"},
]


def make_invoice(
    db: Session,
    staff: User,
    company: Company,
    *,
    lines: list[dict[str, Any]] | None = None,
    send: bool = True,
    payments: list[str] = (),  # type: ignore[assignment]
    overdue: bool = False,
    **fields: Any,
) -> Invoice:
    """A draft (``send=False``) or sent invoice; ``payments`` are amounts recorded after
    sending; ``overdue`` dates it so the due date has passed."""
    actor = actor_for_user(db, staff)
    if overdue:
        fields.setdefault("issue_date", date.today() - timedelta(days=45))
        fields.setdefault("due_date", date.today() - timedelta(days=15))
    data = validated(InvoiceCreate, {"lines": LINES if lines is None else lines, **fields})
    invoice = service.create_invoice(db, actor=actor, company_id=company.id, data=data)  # type: ignore[arg-type]
    if send:
        service.send_invoice(db, actor=actor, invoice_id=invoice.id)  # type: ignore[arg-type]
    for amount in payments:
        service.record_payment(
            db,
            actor=actor,
            invoice_id=invoice.id,  # type: ignore[arg-type]
            data=PaymentCreate(amount=Decimal(amount)),
        )
    db.refresh(invoice)
    return invoice
