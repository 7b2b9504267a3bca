"""The daily overdue reminder: once per invoice, the company's contacts hear that it is overdue
(``invoice_overdue``). Run by ``stoa invoices notify-overdue`` (cron) or the job of that name."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlmodel import Session, col, select

from portal.jobs import job
from portal.models import Invoice
from portal.models.base import utcnow
from portal.models.billing import format_amount, overdue_condition
from portal.sweeper import periodic
from services.billing import portal_url
from services.billing.documents import contact_ids
from services.events.notifications import notify

BATCH = 500


def notify_overdue(session: Session, *, today: date | None = None) -> int:
    """Tell each overdue invoice's company once; returns how many invoices were announced.

    Each invoice is claimed with a conditional UPDATE first, so two runs at once (cron and a
    worker) never notify twice."""
    today = today or date.today()
    due = session.exec(
        select(Invoice)
        .where(overdue_condition(today), col(Invoice.overdue_notified_at).is_(None))
        .order_by(col(Invoice.id))
        .limit(BATCH)
    ).all()
    announced = 0
    for invoice in due:
        claimed = session.exec(
            update(Invoice)
            .where(col(Invoice.id) == invoice.id, col(Invoice.overdue_notified_at).is_(None))
            .values(overdue_notified_at=utcnow())
        )
        if not claimed.rowcount:
            continue
        balance = format_amount(invoice.balance, invoice.currency)
        notify(
            session,
            user_ids=contact_ids(session, invoice.company_id),
            type="invoice_overdue",
            title=f"Invoice {invoice.number} is overdue",
            body=f"{balance} was due on {invoice.due_date:%d %b %Y}.",
            company_id=invoice.company_id,
            url=portal_url(session, invoice),
        )
        announced += 1
    session.flush()
    return announced


@job("notify_overdue_invoices")
def notify_overdue_job(session: Session) -> None:
    notify_overdue(session)


# daily (each invoice is announced once, so a second process sweeping too changes nothing)
periodic(
    "notify_overdue_invoices", setting="INVOICE_OVERDUE_SECONDS", default=86400.0, first_after=300
)
