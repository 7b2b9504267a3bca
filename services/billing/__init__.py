"""Billing: invoices through their life, and the payments against them.

draft --send--> sent --payment--> partial --payment--> paid; draft/sent/partial --void--> void.
Only a draft is edited (its lines, dates, currency); ``overdue`` is derived at read time from
the due date and the balance and never stored. Numbers come from the agency's sequence
(:func:`next_number`), taken under a row lock in the creating transaction: never reused, even
when the invoice is voided.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from portal.errors import Conflict, Invalid
from portal.models import Invoice, InvoiceLine, InvoicePayment, Note
from portal.models.activity import INTERNAL_INVOICE_ACTIVITY, Action
from portal.models.base import utcnow
from portal.models.billing import (
    InvoiceCounter,
    InvoiceCreate,
    InvoiceLineIn,
    InvoiceStatus,
    InvoiceUpdate,
    InvoiceVoid,
    PaymentCreate,
    format_amount,
    from_minor,
    minor_units,
    to_minor,
)
from portal.models.note import NoteCreate
from portal.tenancy import Actor, get_for_actor, require_staff
from services import notes
from services.billing import documents
from services.billing.amounts import line_amounts, minor, totals
from services.billing.documents import (
    check_new_document,
    contact_ids,
    has_lines,
    lock,
    portal_path,
    replace_lines,
    stored_lines,
)
from services.events import activity
from services.events.notifications import notify

S = InvoiceStatus
DEFAULT_TERMS_DAYS = 30
WRITE_NODE = "invoice.write"

notes.register_resource("invoice", Invoice, "number")


def _require_billing_staff(actor: Actor) -> None:
    require_staff(actor, WRITE_NODE, "Only the agency's billing staff can do that.")


def get_invoice(session: Session, *, actor: Actor, invoice_id: object) -> Invoice:
    """An invoice the actor may see (a client never sees a draft: ``Invoice.__staff_only__``)."""
    return get_for_actor(session, Invoice, invoice_id, actor)


# Numbering -----------------------------------------------------------------------------------


def next_number(session: Session) -> tuple[int, str]:
    """Take the next number of the agency's sequence (locked until the transaction ends)."""
    for _ in range(2):
        row = session.execute(
            update(InvoiceCounter)
            .where(col(InvoiceCounter.key) == "agency")
            .values(last_number=col(InvoiceCounter.last_number) + 1)
            .returning(col(InvoiceCounter.last_number), col(InvoiceCounter.prefix))
        ).first()
        if row is not None:
            number, prefix = row
            return int(number), f"{prefix}{int(number):05d}"
        # first invoice ever: create the counter; a concurrent creator wins the unique key
        try:
            with session.begin_nested():
                session.add(InvoiceCounter(key="agency", last_number=0))
        except IntegrityError:
            pass
    raise RuntimeError("the invoice counter could not be created")


# Drafts --------------------------------------------------------------------------------------


def _check_dates(issue: date, due: date) -> None:
    if due < issue:
        raise Invalid(errors={"due_date": ["The due date cannot be before the issue date."]})


def _set_lines(session: Session, invoice: Invoice, lines: list[InvoiceLineIn]) -> None:
    """Replace the invoice's lines and recompute its totals."""
    assert invoice.id is not None
    computed, rows = [], []
    for position, line in enumerate(lines):
        amounts = line_amounts(
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_rate=line.tax_rate,
            discount_rate=line.discount_rate,
            currency=invoice.currency,
        )
        computed.append(amounts)
        rows.append(
            InvoiceLine(
                invoice_id=invoice.id,
                company_id=invoice.company_id,
                position=position,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                discount_rate=line.discount_rate,
                subtotal_minor=minor(amounts.subtotal, invoice.currency),
                discount_minor=minor(amounts.discount, invoice.currency),
                tax_minor=minor(amounts.tax, invoice.currency),
                total_minor=minor(amounts.total, invoice.currency),
            )
        )
    replace_lines(session, InvoiceLine.invoice_id, invoice.id, rows)
    sums = totals(computed)
    invoice.subtotal_minor = minor(sums.subtotal, invoice.currency)
    invoice.discount_minor = minor(sums.discount, invoice.currency)
    invoice.tax_minor = minor(sums.tax, invoice.currency)
    invoice.total_minor = minor(sums.total, invoice.currency)


def _current_lines(session: Session, invoice: Invoice) -> list[InvoiceLineIn]:
    assert invoice.id is not None
    return [
        InvoiceLineIn(
            description=r.description,
            quantity=r.quantity,
            unit_price=r.unit_price,
            tax_rate=r.tax_rate,
            discount_rate=r.discount_rate,
        )
        for r in stored_lines(session, InvoiceLine.invoice_id, invoice.id)
    ]


def _log(session: Session, actor: Actor, invoice: Invoice, action: Action, text: str) -> None:
    """Activity of an invoice; steps on one never sent stay staff-only."""
    activity.record(
        session,
        actor=actor,
        company_id=invoice.company_id,
        action=action,
        object_type="invoice" if invoice.sent_at else INTERNAL_INVOICE_ACTIVITY,
        object_id=invoice.id,
        object_label=invoice.number,
        description=text,
    )


def create_invoice(
    session: Session, *, actor: Actor, company_id: int, data: InvoiceCreate
) -> Invoice:
    """A new draft for ``company_id`` (billing staff), numbered from the agency's sequence."""
    _require_billing_staff(actor)
    check_new_document(session, actor=actor, company_id=company_id, project_id=data.project_id)
    issue = data.issue_date or date.today()
    due = data.due_date or issue + timedelta(days=DEFAULT_TERMS_DAYS)
    _check_dates(issue, due)
    sequence, number = next_number(session)
    invoice = Invoice(
        company_id=company_id,
        project_id=data.project_id,
        sequence=sequence,
        number=number,
        title=data.title or "",
        currency=data.currency or "USD",
        issue_date=issue,
        due_date=due,
        notes=data.notes or "",
        payment_instructions=data.payment_instructions or "",
        created_by_id=actor.user_id,
    )
    session.add(invoice)
    session.flush()
    _set_lines(session, invoice, data.lines or [])
    session.add(invoice)
    session.flush()
    _log(session, actor, invoice, Action.invoice_created, f"{actor.label} drafted {number}")
    return invoice


def update_invoice(
    session: Session, *, actor: Actor, invoice_id: int, data: InvoiceUpdate
) -> Invoice:
    """Change a draft (only the fields sent; ``lines`` replaces every line)."""
    invoice = get_invoice(session, actor=actor, invoice_id=invoice_id)
    _require_billing_staff(actor)
    lock(session, invoice)
    if invoice.status != S.draft:
        raise Conflict("Only a draft can be edited.", code="invoice_not_draft")
    issue = data.issue_date or invoice.issue_date
    due = data.due_date or invoice.due_date
    _check_dates(issue, due)
    invoice.issue_date, invoice.due_date = issue, due
    documents.edit_draft(
        session,
        invoice,
        data,
        text_fields=("title", "notes", "payment_instructions"),
        current_lines=lambda: _current_lines(session, invoice),
        set_lines=lambda lines: _set_lines(session, invoice, lines),
    )
    _log(session, actor, invoice, Action.invoice_updated, f"{actor.label} edited {invoice.number}")
    return invoice


# Sending, voiding, payments ------------------------------------------------------------------


def portal_url(session: Session, invoice: Invoice) -> str | None:
    return portal_path(session, invoice.company_id, f"invoices/{invoice.id}")


def send_invoice(session: Session, *, actor: Actor, invoice_id: int) -> Invoice:
    """Issue a draft: the client sees it from now on and its contacts are notified."""
    invoice = get_invoice(session, actor=actor, invoice_id=invoice_id)
    _require_billing_staff(actor)
    lock(session, invoice)
    if invoice.status != S.draft:
        raise Conflict("This invoice was already sent.", code="invalid_transition")
    assert invoice.id is not None
    if not has_lines(session, InvoiceLine.invoice_id, invoice.id):
        raise Conflict("Add at least one line before sending.", code="invoice_empty")
    invoice.status = S.sent
    invoice.sent_at = invoice.updated_at = utcnow()
    session.add(invoice)
    session.flush()
    total = format_amount(invoice.total, invoice.currency)
    _log(
        session,
        actor,
        invoice,
        Action.invoice_sent,
        f"{actor.label} sent invoice {invoice.number} ({total})",
    )
    notify(
        session,
        user_ids=contact_ids(session, invoice.company_id),
        type="invoice_sent",
        title=f"Invoice {invoice.number} for {total}",
        body=f"Due {invoice.due_date:%d %b %Y}.",
        company_id=invoice.company_id,
        actor=actor,
        url=portal_url(session, invoice),
    )
    return invoice


def void_invoice(session: Session, *, actor: Actor, invoice_id: int, data: InvoiceVoid) -> Invoice:
    """Cancel an invoice nothing was paid on; its number stays taken."""
    invoice = get_invoice(session, actor=actor, invoice_id=invoice_id)
    _require_billing_staff(actor)
    lock(session, invoice)
    if invoice.status in (S.void, S.paid):
        raise Conflict(f"A {invoice.status} invoice cannot be voided.", code="invalid_transition")
    if invoice.paid_minor:
        raise Conflict(
            "Payments were recorded on this invoice: it cannot be voided.",
            code="invoice_has_payments",
        )
    invoice.status = S.void
    invoice.voided_at = invoice.updated_at = utcnow()
    invoice.void_reason = data.reason
    session.add(invoice)
    session.flush()
    reason = f": {data.reason}" if data.reason else ""
    _log(
        session,
        actor,
        invoice,
        Action.invoice_voided,
        f"{actor.label} voided {invoice.number}{reason}",
    )
    return invoice


def record_payment(
    session: Session, *, actor: Actor, invoice_id: int, data: PaymentCreate
) -> InvoicePayment:
    """Money received: the invoice becomes partial, or paid once nothing is left."""
    invoice = get_invoice(session, actor=actor, invoice_id=invoice_id)
    _require_billing_staff(actor)
    lock(session, invoice)
    if invoice.status not in (S.sent, S.partial):
        raise Conflict(
            f"Payments are recorded on sent invoices, not on a {invoice.status} one.",
            code="invalid_transition",
        )
    currency = invoice.currency
    amount_minor = to_minor(data.amount, currency)
    if from_minor(amount_minor, currency) != data.amount:
        digits = minor_units(currency)
        raise Invalid(errors={"amount": [f"{currency} amounts have {digits} decimal places."]})
    balance = invoice.total_minor - invoice.paid_minor
    if amount_minor > balance:
        left = format_amount(from_minor(balance, currency), currency)
        raise Invalid(errors={"amount": [f"That is more than the balance ({left})."]})
    return apply_payment(
        session,
        actor=actor,
        invoice=invoice,
        amount_minor=amount_minor,
        paid_on=data.paid_on or date.today(),
        method=data.method,
        reference=data.reference,
    )


def apply_payment(
    session: Session,
    *,
    actor: Actor,
    invoice: Invoice,
    amount_minor: int,
    paid_on: date,
    method: str,
    reference: str,
) -> InvoicePayment:
    """Add a payment to a locked invoice (checked by the caller): partial, or paid once
    nothing is left. Staff record theirs; online payments come from Stripe's webhook."""
    currency = invoice.currency
    assert invoice.id is not None
    payment = InvoicePayment(
        invoice_id=invoice.id,
        company_id=invoice.company_id,
        amount_minor=amount_minor,
        currency=currency,
        paid_on=paid_on,
        method=method,
        reference=reference[:200],
        recorded_by_id=actor.user_id,
    )
    invoice.paid_minor += amount_minor
    now = utcnow()
    if invoice.status == S.void:
        pass  # paid after it was voided: it stays void, the money is kept as a refund due
    elif invoice.paid_minor >= invoice.total_minor:
        invoice.status, invoice.paid_at = S.paid, now
    else:
        invoice.status = S.partial
    invoice.updated_at = now
    session.add_all([payment, invoice])
    session.flush()
    text = (
        f"{actor.label} recorded a payment of {format_amount(payment.amount, currency)} "
        f"on {invoice.number}"
    )
    if invoice.refund_due_minor:
        text += f"; {invoice.fmt(invoice.refund_due)} is to be refunded or credited"
    _log(session, actor, invoice, Action.invoice_payment_recorded, text)
    return payment


def add_note(session: Session, *, actor: Actor, invoice_id: int, data: NoteCreate) -> Note:
    """Start a thread on an invoice (the notes service does the rest). On a draft only internal
    notes: the client cannot see the invoice yet."""
    invoice = get_invoice(session, actor=actor, invoice_id=invoice_id)
    return documents.add_note(
        session,
        actor=actor,
        resource_type="invoice",
        document=invoice,
        shown=invoice.sent_at is not None,
        data=data,
        refusal="This invoice has not been sent: notes on it can only be internal for now.",
        code="invoice_not_sent",
    )
