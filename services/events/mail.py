"""Outgoing email: an outbox row in the caller's transaction, delivered after commit."""

from __future__ import annotations

import re
import smtplib
import uuid
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from sqlmodel import Session, col, select

from portal.jobs import enqueue, job
from portal.models import EmailOutbox
from portal.models.base import utcnow
from portal.runtime import get_runtime


def queue_email(
    session: Session, *, to: str, subject: str, text: str, html: str | None = None
) -> EmailOutbox:
    """Record an email to send; it leaves only if the surrounding transaction commits."""
    row = EmailOutbox(to_email=to, subject=subject, body_text=text, body_html=html)
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


@job("deliver_email")
def deliver_email(session: Session, outbox_id: int) -> None:
    row = session.get(EmailOutbox, outbox_id)
    if row is None or row.status == "sent":
        return
    settings = get_runtime().settings
    msg = _build_message(row, settings.mail_from)
    row.attempts += 1
    try:
        if settings.smtp_url:
            _send_smtp(settings.smtp_url, msg)
        else:
            settings.outbox_dir.mkdir(parents=True, exist_ok=True)
            slug = re.sub(r"[^a-z0-9]+", "-", row.to_email.lower()).strip("-")[:60]
            stamp = utcnow().strftime("%Y%m%dT%H%M%S")
            name = f"{stamp}-{row.id}-{uuid.uuid4().hex[:6]}-{slug}.eml"
            (settings.outbox_dir / name).write_bytes(bytes(msg))
    except (OSError, smtplib.SMTPException) as exc:
        row.status = "failed"
        row.error = str(exc)[:1000]
        session.add(row)
        return
    row.status = "sent"
    row.sent_at = utcnow()
    session.add(row)


def _send_smtp(url: str, msg: EmailMessage) -> None:
    parsed = urlparse(url)
    ssl = parsed.scheme == "smtps"
    port = parsed.port or (465 if ssl else 587 if parsed.scheme == "smtp+starttls" else 25)
    cls = smtplib.SMTP_SSL if ssl else smtplib.SMTP
    with cls(parsed.hostname or "localhost", port, timeout=20) as smtp:
        if parsed.scheme == "smtp+starttls":
            smtp.starttls()
        if parsed.username:
            smtp.login(unquote(parsed.username), unquote(parsed.password or ""))
        smtp.send_message(msg)
