"""Notifications: in-app rows and email, honouring each user's preferences per type and channel.

``notify`` is what every other service calls. Email is never sent per event: a notification that
wants email is marked ``email_wanted`` and the digest job (``send_digests``) mails each user at most
once per interval, leaving out what they already read in the portal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, select

from portal.models import Notification, NotificationPreference, User
from portal.tenancy import Actor


@dataclass(frozen=True)
class NotificationType:
    key: str
    label: str
    email_default: bool = True
    in_app_default: bool = True


TYPES: dict[str, NotificationType] = {
    t.key: t
    for t in [
        NotificationType("task_assigned", "A task is assigned to me"),
        NotificationType("task_completed", "A task I follow is completed", email_default=False),
        NotificationType("request_created", "A client submits a request"),
        NotificationType("deliverable_in_review", "A deliverable is ready for my review"),
        NotificationType("deliverable_approved", "A deliverable is approved"),
        NotificationType("deliverable_revision_requested", "A revision is requested"),
        NotificationType("file_published", "A file is published to me"),
        NotificationType("file_approval_requested", "A file needs my approval"),
        NotificationType("file_approved", "A file I uploaded is approved or rejected"),
        NotificationType("invoice_sent", "A new invoice is sent"),
        NotificationType("invoice_overdue", "An invoice is overdue"),
        NotificationType("note_mention", "Someone mentions me in a note"),
        NotificationType("note_reply", "Someone replies to my note", email_default=False),
        NotificationType("budget_pending_approval", "A budget awaits approval"),
        NotificationType("announcement", "A new announcement", email_default=False),
    ]
}


def preferences_for(
    session: Session, user_ids: Iterable[int]
) -> dict[tuple[int, str], NotificationPreference]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(NotificationPreference).where(NotificationPreference.user_id.in_(ids))
    ).all()  # type: ignore[attr-defined]
    return {(p.user_id, p.notification_type): p for p in rows}


def notify(
    session: Session,
    *,
    user_ids: Iterable[int | None],
    type: str,  # noqa: A002 - the SPEC's field name
    title: str,
    company_id: int | None,
    actor: Actor | None = None,
    body: str = "",
    url: str | None = None,
) -> list[Notification]:
    """Notify users (never the actor themself) according to their preferences."""
    kind = TYPES.get(type)
    if kind is None:
        raise ValueError(f"unknown notification type {type!r}")
    recipients = {u for u in user_ids if u is not None and (actor is None or u != actor.user_id)}
    if not recipients:
        return []
    active = set(
        session.exec(select(User.id).where(User.id.in_(sorted(recipients)), User.is_active)).all()
    )  # type: ignore[union-attr]
    prefs = preferences_for(session, active)
    created: list[Notification] = []
    for user_id in sorted(active):  # type: ignore[type-var]
        pref = prefs.get((user_id, type))  # type: ignore[arg-type]
        in_app = pref.channel_in_app if pref else kind.in_app_default
        email = pref.channel_email if pref else kind.email_default
        if not in_app and not email:
            continue
        note = Notification(
            user_id=user_id,  # type: ignore[arg-type]
            company_id=company_id,
            type=type,
            title=title[:300],
            body=body[:2000],
            url=url,
            actor_label=actor.label if actor else "",
            in_app=in_app,
            email_wanted=email,
        )
        session.add(note)
        created.append(note)
    session.flush()
    return created
