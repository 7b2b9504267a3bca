"""Reference 000 shapes for invoices (camelCase keys, string ids, amounts as decimal strings)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from blueprints.api.schemas import MAX_ID, ApiModel, PageQuery
from portal.models import Invoice, InvoiceLine, InvoicePayment
from portal.models.billing import from_minor, plain_amount, plain_decimal

DisplayStatus = Literal["draft", "sent", "partial", "overdue", "paid", "void"]


def _sid(value: int | None) -> str | None:
    return None if value is None else str(value)


class WorkerInvoiceOut(BaseModel):
    id: str
    companyId: str
    companyName: str
    projectId: str | None
    number: str
    title: str
    currency: str = Field(description="ISO 4217 code; amounts have its minor-unit digits")
    status: DisplayStatus = Field(description="overdue is derived from the due date and balance")
    issueDate: date
    dueDate: date
    subtotal: str
    discountTotal: str
    taxTotal: str
    total: str
    amountPaid: str
    balance: str
    paymentInstructions: str
    sentAt: datetime | None
    paidAt: datetime | None
    createdAt: datetime


class WorkerInvoiceLineOut(BaseModel):
    id: str
    invoiceId: str
    description: str
    quantity: str
    unitPrice: str
    taxRate: str = Field(description="Percent")
    discountRate: str = Field(description="Percent, taken off before tax")
    subtotal: str
    discount: str
    tax: str
    total: str


class WorkerPaymentOut(BaseModel):
    id: str
    invoiceId: str
    amount: str
    currency: str
    paidOn: date
    method: str
    reference: str
    createdAt: datetime


class WorkerInvoicesOut(BaseModel):
    invoices: list[WorkerInvoiceOut]
    limit: int
    offset: int
    total: int


class WorkerInvoiceDetailOut(BaseModel):
    invoice: WorkerInvoiceOut
    lineItems: list[WorkerInvoiceLineOut]
    payments: list[WorkerPaymentOut]


class WorkerInvoicesQuery(PageQuery):
    status: DisplayStatus | None = None


class WorkerInvoicePath(ApiModel):
    invoice_id: int = Field(ge=1, le=MAX_ID)


def worker_invoice(inv: Invoice, company_name: str, status: str) -> dict[str, Any]:
    def money(minor: int) -> str:
        return plain_amount(from_minor(minor, inv.currency), inv.currency)

    return WorkerInvoiceOut(
        id=str(inv.id),
        companyId=str(inv.company_id),
        companyName=company_name,
        projectId=_sid(inv.project_id),
        number=inv.number,
        title=inv.title,
        currency=inv.currency,
        status=status,  # type: ignore[arg-type]
        issueDate=inv.issue_date,
        dueDate=inv.due_date,
        subtotal=money(inv.subtotal_minor),
        discountTotal=money(inv.discount_minor),
        taxTotal=money(inv.tax_minor),
        total=money(inv.total_minor),
        amountPaid=money(inv.paid_minor),
        balance=money(inv.total_minor - inv.paid_minor),
        paymentInstructions=inv.payment_instructions,
        sentAt=inv.sent_at,
        paidAt=inv.paid_at,
        createdAt=inv.created_at,
    ).model_dump(mode="json")


def worker_line(line: InvoiceLine, currency: str) -> dict[str, Any]:
    def money(minor: int) -> str:
        return plain_amount(from_minor(minor, currency), currency)

    return WorkerInvoiceLineOut(
        id=str(line.id),
        invoiceId=str(line.invoice_id),
        description=line.description,
        quantity=plain_decimal(line.quantity),
        unitPrice=plain_decimal(line.unit_price),
        taxRate=plain_decimal(line.tax_rate),
        discountRate=plain_decimal(line.discount_rate),
        subtotal=money(line.subtotal_minor),
        discount=money(line.discount_minor),
        tax=money(line.tax_minor),
        total=money(line.total_minor),
    ).model_dump(mode="json")


def worker_payment(p: InvoicePayment) -> dict[str, Any]:
    return WorkerPaymentOut(
        id=str(p.id),
        invoiceId=str(p.invoice_id),
        amount=plain_amount(p.amount, p.currency),
        currency=p.currency,
        paidOn=p.paid_on,
        method=p.method,
        reference=p.reference,
        createdAt=p.created_at,
    ).model_dump(mode="json")
