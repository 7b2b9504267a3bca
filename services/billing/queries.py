"""Read side of billing: the Invoices tab's list, an invoice's detail, the financial summary
and the API's rows, each in a fixed number of queries.

Every function takes the actor narrowed to where it looks (a portal's group for the tab and the
worker API). Drafts are staff-only through ``Invoice.__staff_only__``, applied by ``scoped()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, not_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from portal.errors import NotFound
from portal.models import (
    ActivityLog,
    Company,
    Invoice,
    InvoiceLine,
    InvoicePayment,
    Portal,
    Project,
    User,
)
from portal.models.activity import INTERNAL_INVOICE_ACTIVITY
from portal.models.billing import (
    BILLED_STATUSES,
    DISPLAY_STATUSES,
    OPEN_STATUSES,
    OVERDUE,
    InvoiceStatus,
    format_amount,
    from_minor,
    overdue_condition,
    plain_decimal,
    refund_due_condition,
)
from portal.tenancy import Actor, scoped, staff_can
from portal.web.pagination import Page, count, paginate
from services import notes
from services.billing.documents import document_with_names, visible_lines
from services.events import activity
from services.notes import Thread
from services.projects import company_projects

PAGE_SIZE = 20
SORTS: dict[str, str] = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "due": "Due soonest",
    "amount": "Largest amount",
}


def display_status_expr(today: date) -> Any:
    """The status a person sees, in SQL: ``overdue`` derived, the stored one otherwise."""
    return case((overdue_condition(today), OVERDUE), else_=col(Invoice.status))


REFUND = "refund"  # staff filter: money received that is owed back (``Invoice.refund_due``)


def _status_filter(status: str, today: date) -> Any:
    if status == REFUND:
        return refund_due_condition()
    if status == OVERDUE:
        return overdue_condition(today)
    return (col(Invoice.status) == status) & not_(overdue_condition(today))


def _order(sort: str) -> list[Any]:
    newest: list[Any] = [col(Invoice.issue_date).desc(), col(Invoice.sequence).desc()]
    orders: dict[str, list[Any]] = {
        "oldest": [col(Invoice.issue_date), col(Invoice.sequence)],
        "due": [col(Invoice.due_date), col(Invoice.sequence)],
        "amount": [col(Invoice.currency), col(Invoice.total_minor).desc(), *newest],
    }
    return orders.get(sort, newest)


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    company_name: str
    status: str  # as displayed (overdue derived)
    portal_slug: str | None = None


@dataclass(frozen=True)
class InvoiceListing:
    page: Page[InvoiceRow]
    counts: dict[str, int]  # per displayed status, before the status filter

    @property
    def rows(self) -> list[InvoiceRow]:
        return list(self.page.items)


def list_invoices(
    session: Session,
    *,
    actor: Actor,
    status: str = "",
    query: str = "",
    sort: str = "newest",
    page: int = 1,
    per_page: int = PAGE_SIZE,
    today: date | None = None,
) -> InvoiceListing:
    """The invoices the actor sees (a portal's group), filtered, searched, sorted, paged."""
    today = today or date.today()
    base = scoped(select(Invoice), actor, Invoice)
    if query:
        like = f"%{query.lower()}%"
        base = base.where(
            or_(func.lower(Invoice.number).like(like), func.lower(Invoice.title).like(like))
        )
    shown = display_status_expr(today)
    sub = base.add_columns(shown.label("shown")).subquery()
    counts = {
        s: int(n)
        for s, n in session.exec(select(sub.c.shown, func.count()).group_by(sub.c.shown)).all()
    }
    if status in DISPLAY_STATUSES:
        base = base.where(_status_filter(status, today))
        total = counts.get(status, 0)
    elif status == REFUND:
        base = base.where(_status_filter(status, today))
        total = None
    else:
        total = sum(counts.values())
    rows = paginate(
        session,
        base.add_columns(col(Company.name), shown, col(Portal.slug))
        .join(Company, col(Company.id) == Invoice.company_id)
        .outerjoin(Portal, col(Portal.company_id) == Invoice.company_id)
        .order_by(*_order(sort)),
        page=page,
        per_page=per_page,
        scalars=False,
        total=total,
    )
    return InvoiceListing(rows.map(lambda r: InvoiceRow(*r)), counts)


@dataclass(frozen=True)
class CurrencySummary:
    currency: str
    invoiced: Decimal
    outstanding: Decimal
    overdue: Decimal
    invoices: int = 0

    def fmt(self, amount: Decimal) -> str:
        return format_amount(amount, self.currency)


def financial_summary(
    session: Session, *, actor: Actor, today: date | None = None
) -> list[CurrencySummary]:
    """Totals per currency, summed by the database over the invoices the actor sees (a group
    for a parent's portal): invoiced (sent, partial, paid), outstanding and overdue balances.
    Drafts and void invoices count nowhere. The currency with most invoices first."""
    today = today or date.today()
    balance = col(Invoice.total_minor) - col(Invoice.paid_minor)
    zero = 0
    rows = session.execute(
        scoped(
            sa_select(
                col(Invoice.currency),
                func.sum(Invoice.total_minor),
                func.sum(case((col(Invoice.status).in_(OPEN_STATUSES), balance), else_=zero)),
                func.sum(case((overdue_condition(today), balance), else_=zero)),
                func.count(),
            ),
            actor,
            Invoice,
        )
        .where(col(Invoice.status).in_(BILLED_STATUSES))
        .group_by(Invoice.currency)
    ).all()
    out = [
        CurrencySummary(
            currency=cur,
            invoiced=from_minor(invoiced, cur),
            outstanding=from_minor(outstanding, cur),
            overdue=from_minor(overdue, cur),
            invoices=int(n),
        )
        for cur, invoiced, outstanding, overdue, n in rows
    ]
    return sorted(out, key=lambda s: (-s.invoices, s.currency))


@dataclass(frozen=True)
class InvoicesPage:
    """The Invoices tab: the listing, the group's money at a glance, the create form's choices."""

    listing: InvoiceListing
    summary: list[CurrencySummary]
    status: str
    q: str
    sort: str
    group: bool  # several companies: show whose invoice each is
    can_bill: bool  # billing staff: the create form and the staff actions
    projects: list[Project] = field(default_factory=list)
    today: date = field(default_factory=date.today)


def invoices_page(
    session: Session,
    *,
    actor: Actor,
    company_id: int,
    can_write: bool,
    status: str = "",
    q: str = "",
    sort: str = "",
    page: int = 1,
) -> InvoicesPage:
    """A portal's Invoices tab (``actor`` narrowed to the portal's group)."""
    status = status if status in DISPLAY_STATUSES else ""
    sort = sort if sort in SORTS else "newest"
    q = q.strip()[:100]
    can_bill = can_write and staff_can(actor, "invoice.write")
    today = date.today()
    return InvoicesPage(
        listing=list_invoices(
            session, actor=actor, status=status, query=q, sort=sort, page=page, today=today
        ),
        summary=financial_summary(session, actor=actor, today=today),
        status=status,
        q=q,
        sort=sort,
        group=len(actor.company_ids or ()) > 1,
        can_bill=can_bill,
        projects=company_projects(session, actor=actor, company_id=company_id) if can_bill else [],
        today=today,
    )


@dataclass(frozen=True)
class StaffInvoicesView:
    """The staff area's invoices across every portal the staff member sees."""

    listing: InvoiceListing
    summary: list[CurrencySummary]
    status: str
    q: str
    refunds: int = 0  # invoices with money to give back


def staff_invoices(
    session: Session, *, actor: Actor, status: str = "", q: str = "", page: int = 1
) -> StaffInvoicesView:
    """Invoices of all the companies a staff member sees, newest first, with the totals and
    the invoices with a refund due (filter ``status="refund"``)."""
    status = status if status in (*DISPLAY_STATUSES, REFUND) else ""
    q = q.strip()[:100]
    if not actor.is_staff:
        raise NotFound()
    return StaffInvoicesView(
        listing=list_invoices(session, actor=actor, status=status, query=q, page=page),
        summary=financial_summary(session, actor=actor),
        status=status,
        q=q,
        refunds=count(
            session, scoped(select(Invoice), actor, Invoice).where(refund_due_condition())
        ),
    )


@dataclass(frozen=True)
class InvoiceDetail:
    invoice: Invoice
    company: Company
    project: Project | None
    lines: list[InvoiceLine]
    payments: list[InvoicePayment]
    threads: list[Thread]
    history: list[ActivityLog]
    status: str  # as displayed
    can_bill: bool = False
    projects: list[Project] = field(default_factory=list)
    recorders: dict[int, str] = field(default_factory=dict)

    @property
    def is_draft(self) -> bool:
        return self.invoice.status == InvoiceStatus.draft

    @property
    def can_pay(self) -> bool:
        return self.invoice.status in OPEN_STATUSES

    @property
    def editor_lines(self) -> list[dict[str, str]]:
        """The lines as the draft editor shows them."""
        return [
            {
                "description": line.description,
                "quantity": line.quantity_text,
                "unit_price": plain_decimal(line.unit_price),
                "tax_rate": line.tax_text,
                "discount_rate": line.discount_text,
            }
            for line in self.lines
        ]

    @property
    def can_void(self) -> bool:
        return self.invoice.status not in ("void", "paid") and not self.invoice.paid_minor


def invoice_lines(session: Session, *, actor: Actor, invoice_id: int) -> list[InvoiceLine]:
    return visible_lines(session, actor=actor, owner=InvoiceLine.invoice_id, owner_id=invoice_id)


def invoice_payments(session: Session, *, actor: Actor, invoice_id: int) -> list[InvoicePayment]:
    return list(
        session.exec(
            scoped(select(InvoicePayment), actor, InvoicePayment)
            .where(InvoicePayment.invoice_id == invoice_id)
            .order_by(col(InvoicePayment.paid_on), col(InvoicePayment.id))
        ).all()
    )


def invoice_detail(
    session: Session, *, actor: Actor, invoice_id: int, can_write: bool = False
) -> InvoiceDetail:
    """Everything the detail page (and the PDF) shows; a client asking for a draft gets 404."""
    invoice: Invoice
    invoice, company, project = document_with_names(
        session, actor=actor, model=Invoice, document_id=invoice_id
    )
    assert invoice.id is not None
    payments = invoice_payments(session, actor=actor, invoice_id=invoice.id)
    recorder_ids = sorted({p.recorded_by_id for p in payments if p.recorded_by_id})
    recorders = (
        {
            u.id: u.display_name
            for u in session.exec(select(User).where(col(User.id).in_(recorder_ids))).all()
            if u.id is not None
        }
        if recorder_ids
        else {}
    )
    history = activity.object_history(
        session,
        actor=actor,
        object_types=("invoice", INTERNAL_INVOICE_ACTIVITY),
        object_id=invoice.id,
    )
    can_bill = can_write and staff_can(actor, "invoice.write")
    return InvoiceDetail(
        invoice=invoice,
        company=company,
        project=project,
        lines=invoice_lines(session, actor=actor, invoice_id=invoice.id),
        payments=payments,
        threads=notes.resource_threads(
            session, actor=actor, resource_type="invoice", resource_id=invoice.id
        ),
        history=history,
        status=invoice.display_status(date.today()),
        can_bill=can_bill,
        projects=company_projects(session, actor=actor, company_id=invoice.company_id)
        if can_bill and invoice.status == InvoiceStatus.draft
        else [],
        recorders=recorders,
    )


def api_invoices(
    session: Session,
    *,
    actor: Actor,
    company_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[InvoiceRow], int]:
    """Rows for the JSON APIs (one company's, or all the actor sees), newest first, with the
    total count."""
    today = date.today()
    who = actor if company_id is None else actor.narrowed([company_id])
    base = scoped(select(Invoice), who, Invoice)
    if status in DISPLAY_STATUSES:
        base = base.where(_status_filter(status, today))
    rows = session.execute(
        base.add_columns(col(Company.name), display_status_expr(today))
        .join(Company, col(Company.id) == Invoice.company_id)
        .order_by(*_order("newest"))
        .limit(limit)
        .offset(offset)
    ).all()
    return [InvoiceRow(*r) for r in rows], count(session, base)
