"""The ``sweep`` job (run periodically by ``portal.sweeper``): nothing queued stays stuck."""

from __future__ import annotations

import logging

from sqlmodel import Session

from portal.jobs import dispatch, job
from services.events import digests, mail, outbox, webhooks

log = logging.getLogger(__name__)


def sweep_grace() -> float:
    """How long past due a queued row must be before the sweep assumes its job was lost."""
    return outbox.setting("OUTBOX_SWEEP_GRACE_SECONDS", 60.0)


@job("sweep")
def sweep(session: Session) -> None:
    """Resend emails and deliveries whose job was lost; mail the digests that are due."""
    grace = sweep_grace()
    emails = mail.overdue_emails(session, grace_seconds=grace)
    deliveries = webhooks.overdue_deliveries(session, grace_seconds=grace)
    for outbox_id in emails:
        dispatch("deliver_email", outbox_id)
    for delivery_id in deliveries:
        dispatch("deliver_webhook", delivery_id)
    if emails or deliveries:
        log.info("sweep resent %d email(s), %d webhook deliveries", len(emails), len(deliveries))
    sent = digests.send_due_digests(session)
    if sent:
        log.info("mailed %d notification digest(s)", sent)
