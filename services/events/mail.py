"""Outgoing email: an outbox row in the caller's transaction, delivered after commit.

The worker claims the row, sends it with no transaction open (short SMTP timeouts), then
records the result: ``sent`` (the one-time links in the stored body are redacted), or a retry
with exponential back-off (``MAIL_RETRY_BASE_SECONDS``, doubling) until ``MAIL_MAX_ATTEMPTS``,
after which it is ``failed``. The periodic sweep resends rows whose job was lost.
"""

from __future__ import annotations

import logging
import re
import smtplib
import uuid
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from sqlmodel import Session, col, select

from portal.accesslog import redact
from portal.db import commit
from portal.jobs import enqueue, enqueue_in, job
from portal.models import EmailOutbox
from portal.models.base import utcnow
from portal.runtime import get_runtime
from services.events import outbox

log = logging.getLogger(__name__)

QUEUED, SENT, FAILED = "queued", "sent", "failed"


def _retry_base() -> float:
    return outbox.setting("MAIL_RETRY_BASE_SECONDS", 30.0)


def _max_attempts() -> int:
    return int(outbox.setting("MAIL_MAX_ATTEMPTS", 8))


def _timeout() -> float:
    return outbox.setting("MAIL_TIMEOUT_SECONDS", 10.0)


def lease_seconds() -> float:
    return outbox.setting("OUTBOX_LEASE_SECONDS", 120.0)


def queue_email(
    session: Session, *, to: str, subject: str, text: str, html: str | None = None
) -> EmailOutbox:
    """Record an email to send; it leaves only if the surrounding transaction commits."""
    row = EmailOutbox(
        to_email=to, subject=subject, body_text=text, body_html=html, next_attempt_at=utcnow()
    )
    session.add(row)
    session.flush()
    enqueue(session, "deliver_email", row.id)
    return row


def recent_emails(session: Session, *, limit: int = 100) -> list[EmailOutbox]:
    """The newest outbox rows (the development outbox page)."""
    stmt = select(EmailOutbox).order_by(col(EmailOutbox.id).desc()).limit(limit)
    return list(session.exec(stmt).all())


def _build_message(row: EmailOutbox, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row.to_email
    msg["Subject"] = row.subject
    msg["X-Stoa-Outbox-Id"] = str(row.id)
    msg.set_content(row.body_text)
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
    return msg


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying will not help."""


@job("deliver_email", lane="mail")
def deliver_email(session: Session, outbox_id: int) -> None:
    """One attempt: claim, send outside any transaction, record the outcome."""
    if not outbox.claim(
        session, EmailOutbox, outbox_id, pending=QUEUED, lease_seconds=lease_seconds()
    ):
        return
    row = session.get(EmailOutbox, outbox_id, populate_existing=True)
    if row is None:
        return
    settings = get_runtime().settings
    msg = _build_message(row, settings.mail_from)
    slug = re.sub(r"[^a-z0-9]+", "-", row.to_email.lower()).strip("-")[:60]
    commit(session)  # the claim is durable and no transaction stays open while we send

    error, permanent = "", False
    try:
        if settings.smtp_url:
            _send_smtp(settings.smtp_url, msg, timeout=_timeout())
        else:
            settings.outbox_dir.mkdir(parents=True, exist_ok=True)
            stamp = utcnow().strftime("%Y%m%dT%H%M%S")
            name = f"{stamp}-{outbox_id}-{uuid.uuid4().hex[:6]}-{slug}.eml"
            (settings.outbox_dir / name).write_bytes(bytes(msg))
    except PermanentFailure as exc:
        error, permanent = str(exc), True
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

    row = session.get(EmailOutbox, outbox_id, populate_existing=True)
    if row is None:
        return
    now = utcnow()
    row.lease_until = None
    row.error = error[:1000] or None
    if not error:
        row.status, row.sent_at, row.next_attempt_at = SENT, now, None
    elif permanent or row.attempts >= _max_attempts():
        row.status, row.next_attempt_at = FAILED, None
    else:
        delay = outbox.retry_delay(_retry_base(), row.attempts)
        row.next_attempt_at = now + timedelta(seconds=delay)
        enqueue_in(session, delay, "deliver_email", outbox_id)
    if row.status != QUEUED:
        # one-time links have done their job (or never will): keep no usable copy at rest
        row.body_text = redact(row.body_text)
        row.body_html = redact(row.body_html) if row.body_html else row.body_html
    session.add(row)
    log.info("email %s attempt %s: %s", outbox_id, row.attempts, row.delivery_label)


def _send_smtp(url: str, msg: EmailMessage, *, timeout: float) -> None:
    parsed = urlparse(url)
    ssl = parsed.scheme == "smtps"
    port = parsed.port or (465 if ssl else 587 if parsed.scheme == "smtp+starttls" else 25)
    cls = smtplib.SMTP_SSL if ssl else smtplib.SMTP
    try:
        with cls(parsed.hostname or "localhost", port, timeout=timeout) as smtp:
            if parsed.scheme == "smtp+starttls":
                smtp.starttls()
            if parsed.username:
                smtp.login(unquote(parsed.username), unquote(parsed.password or ""))
            smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            raise PermanentFailure(f"Recipient refused: {codes[0]}") from exc
        raise


def overdue_emails(session: Session, *, grace_seconds: float) -> list[int]:
    """Queued emails whose job was lost (Redis down or emptied, a process died)."""
    return outbox.overdue(session, EmailOutbox, pending=QUEUED, grace_seconds=grace_seconds)
