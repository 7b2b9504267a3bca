"""Notification emails, batched: at most one digest per user per interval.

``notify`` marks rows ``email_wanted``; nothing is mailed per event. A digest mails only what
is still unread and not yet mailed, marks it mailed, and carries a magic sign-in link to the
notifications page. Read everything before the digest is due and nothing is sent.

Scheduling: with Redis (RQ), ``schedule_digests`` enqueues one delayed job per user (a Redis
``SET NX`` key keeps it to one); without Redis, ``send_due_digests`` is swept every few seconds
by the periodic sweep (``portal.sweeper``: each web process, or ``stoa worker``) and by
``stoa digests``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from portal.db import after_commit
from portal.jobs import job
from portal.models import Agency, Notification, User
from portal.models.base import utcnow
from portal.runtime import get_runtime
from portal.web.urls import base_url
from services.accounts.auth import issue_magic_link
from services.events import mail

DIGEST_JOB = "send_notification_digest"
DEFAULT_INTERVAL = 600
log = logging.getLogger(__name__)


def digest_interval() -> int:
    """Seconds between two digests to one user (``NOTIFICATION_DIGEST_SECONDS``, default 600)."""
    raw = get_runtime().settings.extra.get(
        "NOTIFICATION_DIGEST_SECONDS", os.environ.get("NOTIFICATION_DIGEST_SECONDS")
    )
    if not isinstance(raw, int | float | str) or raw == "":
        return DEFAULT_INTERVAL
    try:
        return max(0, int(raw))
    except ValueError:
        return DEFAULT_INTERVAL


def schedule_digests(session: Session, user_ids: Iterable[int]) -> None:
    """After commit, make sure one digest is scheduled for each user (Redis); else the sweep."""
    ids = sorted(set(user_ids))
    queue = get_runtime().queue
    if queue is None or not ids:
        return

    def enqueue_delayed() -> None:
        delay = digest_interval()
        for uid in ids:
            if queue.connection.set(f"stoa:digest-scheduled:{uid}", "1", nx=True, ex=delay + 300):
                queue.enqueue_in(timedelta(seconds=delay), "portal.jobs.run_job", DIGEST_JOB, uid)

    after_commit(session, enqueue_delayed)


def _pending(user_id: int) -> SelectOfScalar[Notification]:
    return select(Notification).where(
        Notification.user_id == user_id,
        col(Notification.email_wanted),
        col(Notification.emailed_at).is_(None),
        col(Notification.read_at).is_(None),
        col(Notification.archived_at).is_(None),
    )


def last_digest_at(session: Session, user_id: int) -> datetime | None:
    return session.exec(
        select(func.max(Notification.emailed_at)).where(Notification.user_id == user_id)
    ).one()


def send_digest(session: Session, *, user_id: int, now: datetime | None = None) -> bool:
    """Mail the user what they have not seen yet, unless a digest went out within the interval."""
    now = now or utcnow()
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return False
    pending = list(session.exec(_pending(user_id).order_by(col(Notification.created_at))).all())
    if not pending:
        return False
    last = last_digest_at(session, user_id)
    if last is not None and now - last < timedelta(seconds=digest_interval()):
        return False
    ids = [n.id for n in pending]
    claimed = session.exec(
        update(Notification)
        .where(col(Notification.id).in_(ids), col(Notification.emailed_at).is_(None))
        .values(emailed_at=now)
    ).rowcount
    if claimed != len(ids):  # another process is mailing this batch
        session.rollback()
        return False
    agency = session.exec(select(Agency).limit(1)).first()
    sender = agency.name if agency else "Stoa"
    base = base_url()
    token = issue_magic_link(session, user=user, next_url="/notifications")
    subject = pending[0].title if len(pending) == 1 else f"{len(pending)} new updates from {sender}"
    lines = [f"Hello {user.display_name},", "", f"Here is what happened at {sender}:", ""]
    for n in pending:
        lines.append(f"- {n.title}")
        if n.body:
            lines.append(f"  {n.body[:200]}")
        if n.url:
            lines.append(f"  {base}{n.url}")
    lines += [
        "",
        "Open your notifications (this link signs you in once, for 15 minutes):",
        f"{base}/magic/{token}",
        "",
        f"Change what we email you in your notification settings: {base}/account",
    ]
    mail.queue_email(session, to=user.email, subject=subject[:300], text="\n".join(lines))
    return True


def send_due_digests(session: Session, *, now: datetime | None = None) -> int:
    """The sweep: mail every user whose oldest unmailed notification waited a full interval."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=digest_interval())
    due = session.exec(
        select(Notification.user_id)
        .where(
            col(Notification.email_wanted),
            col(Notification.emailed_at).is_(None),
            col(Notification.read_at).is_(None),
            col(Notification.archived_at).is_(None),
        )
        .group_by(col(Notification.user_id))
        .having(func.min(Notification.created_at) <= cutoff)
    ).all()
    return sum(1 for uid in due if send_digest(session, user_id=uid, now=now))


@job(DIGEST_JOB)
def digest_job(session: Session, user_id: int) -> None:
    queue = get_runtime().queue
    if queue is not None:
        queue.connection.delete(f"stoa:digest-scheduled:{user_id}")
    if not send_digest(session, user_id=user_id) and queue is not None:
        # too soon after the previous digest: try again when the interval has passed
        if session.exec(_pending(user_id).limit(1)).first() is not None:
            schedule_digests(session, [user_id])


@job("send_due_digests")
def sweep_job(session: Session) -> None:
    sent = send_due_digests(session)
    if sent:
        log.info("mailed %d notification digest(s)", sent)
