"""/api/v1 invoice records (integer ids, snake_case, amounts as decimal strings)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from blueprints.api.schemas import MAX_ID, ApiModel, PageQuery
from portal.models import Invoice, InvoiceLine, InvoicePayment
from portal.models.billing import InvoiceCreate, from_minor, plain_amount, plain_decimal

StatusValue = Literal["draft", "sent", "partial", "overdue", "paid", "void"]


class InvoiceLineRecord(BaseModel):
    id: int
    description: str
    quantity: str
    unit_price: str
    tax_rate: str = Field(description="Percent")
    discount_rate: str = Field(description="Percent, taken off before tax")
    subtotal: str
    discount: str
    tax: str
    total: str


class PaymentRecord(BaseModel):
    id: int
    invoice_id: int
    amount: str
    currency: str
    paid_on: date
    method: str
    reference: str
    recorded_by: int | None
    created_at: datetime


class InvoiceRecord(BaseModel):
    id: int
    company_id: int
    project_id: int | None
    number: str = Field(description="From the agency's sequence; never reused")
    title: str
    currency: str = Field(description="ISO 4217 code; amounts have its minor-unit digits")
    status: StatusValue = Field(description="overdue is derived at read time, never stored")
    issue_date: date
    due_date: date
    subtotal: str
    discount_total: str
    tax_total: str
    total: str
    amount_paid: str
    balance: str
    payment_instructions: str
    notes: str
    sent_at: datetime | None
    paid_at: datetime | None
    voided_at: datetime | None
    created_at: datetime


class InvoiceDetailRecord(InvoiceRecord):
    line_items: list[InvoiceLineRecord]
    payments: list[PaymentRecord]


class InvoicePage(BaseModel):
    items: list[InvoiceRecord]
    limit: int
    offset: int
    total: int


class InvoiceListQuery(PageQuery):
    status: StatusValue | None = None


class InvoiceApiPath(ApiModel):
    invoice_id: int = Field(ge=1, le=MAX_ID)


class InvoiceCreateIn(InvoiceCreate):
    """A new draft: dates default to today and 30 days later; ``lines`` may come later."""


def _money(minor: int, currency: str) -> str:
    return plain_amount(from_minor(minor, currency), currency)


def invoice_record(inv: Invoice, status: str) -> dict[str, Any]:
    cur = inv.currency
    return InvoiceRecord(
        id=inv.id,  # type: ignore[arg-type]
        company_id=inv.company_id,
        project_id=inv.project_id,
        number=inv.number,
        title=inv.title,
        currency=cur,
        status=status,  # type: ignore[arg-type]
        issue_date=inv.issue_date,
        due_date=inv.due_date,
        subtotal=_money(inv.subtotal_minor, cur),
        discount_total=_money(inv.discount_minor, cur),
        tax_total=_money(inv.tax_minor, cur),
        total=_money(inv.total_minor, cur),
        amount_paid=_money(inv.paid_minor, cur),
        balance=_money(inv.total_minor - inv.paid_minor, cur),
        payment_instructions=inv.payment_instructions,
        notes=inv.notes,
        sent_at=inv.sent_at,
        paid_at=inv.paid_at,
        voided_at=inv.voided_at,
        created_at=inv.created_at,
    ).model_dump(mode="json")


def line_record(line: InvoiceLine, currency: str) -> dict[str, Any]:
    return InvoiceLineRecord(
        id=line.id,  # type: ignore[arg-type]
        description=line.description,
        quantity=plain_decimal(line.quantity),
        unit_price=plain_decimal(line.unit_price),
        tax_rate=plain_decimal(line.tax_rate),
        discount_rate=plain_decimal(line.discount_rate),
        subtotal=_money(line.subtotal_minor, currency),
        discount=_money(line.discount_minor, currency),
        tax=_money(line.tax_minor, currency),
        total=_money(line.total_minor, currency),
    ).model_dump(mode="json")


def payment_record(p: InvoicePayment) -> dict[str, Any]:
    return PaymentRecord(
        id=p.id,  # type: ignore[arg-type]
        invoice_id=p.invoice_id,
        amount=plain_amount(p.amount, p.currency),
        currency=p.currency,
        paid_on=p.paid_on,
        method=p.method,
        reference=p.reference,
        recorded_by=p.recorded_by_id,
        created_at=p.created_at,
    ).model_dump(mode="json")
