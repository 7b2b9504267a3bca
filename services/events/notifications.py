"""Notifications: in-app rows and email, honouring each user's preferences per type and channel.

``notify`` is what every other service calls. Email is never sent per event: a notification that
wants email is marked ``email_wanted`` and the digest job (``send_digests``) mails each user at most
once per interval, leaving out what they already read in the portal.

A notification may name its ``Subject`` (the object it is about). Then a new notice about an object
a person has an open (unread, not done) notification about updates that row instead of adding one
("Pricing page — 3 updates"), and ``resolve`` marks the "please act" notices about an object done
for everyone who got them once the work is done (the service doing the work calls it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from portal.errors import Invalid, NotFound
from portal.models import Notification, NotificationPreference, User
from portal.models.base import utcnow
from portal.models.notification import NotificationPreferencesUpdate
from portal.tenancy import Actor
from portal.web.pagination import Page, count, paginate


@dataclass(frozen=True)
class Subject:
    """What a notification is about: ``("deliverable", 12, "Pricing page")``."""

    type: str
    id: int | None
    label: str


# The session's set of user ids whose notifications changed in this request: the bell of the
# person acting refreshes at once (``touched_users``) instead of at its next poll.
TOUCHED = "stoa_notifications_touched"


def _touch(session: Session, user_ids: Iterable[int]) -> None:
    session.info.setdefault(TOUCHED, set()).update(user_ids)


def touched_users(session: Session) -> set[int]:
    """The users whose notifications this session changed (and forget them)."""
    return set(session.info.pop(TOUCHED, set()))


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
        NotificationType("feedback_mention", "Someone mentions me on the feedback board"),
        NotificationType("task_mention", "Someone mentions me in a task comment"),
        NotificationType("deliverable_mention", "Someone mentions me on a deliverable"),
        NotificationType("feedback_comment", "Someone comments on my idea", email_default=False),
        NotificationType("feedback_status", "An idea I posted changes status"),
        NotificationType("contract_sent", "A contract awaits my signature"),
        NotificationType("contract_signed", "A contract I sent is signed"),
        NotificationType("budget_pending_approval", "A budget awaits approval"),
        NotificationType("budget_decided", "A budget I manage is approved or declined"),
        NotificationType("proposal_shared", "A proposal is shared with us"),
        NotificationType("proposal_accepted", "A proposal I manage is accepted"),
        NotificationType("proposal_declined", "A proposal I manage is declined"),
        NotificationType("announcement", "A new announcement", email_default=False),
        NotificationType("platform_connected", "A client connects a results platform"),
        NotificationType("success_profile_completed", "A client completes its success profile"),
        NotificationType("qbr_presented", "A quarterly review is presented"),
        NotificationType(
            "onboarding_progress", "Onboarding moves on (milestones done)", email_default=False
        ),
    ]
}


def preferences_for(
    session: Session, user_ids: Iterable[int]
) -> dict[tuple[int, str], NotificationPreference]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(NotificationPreference).where(col(NotificationPreference.user_id).in_(ids))
    ).all()
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
    subject: Subject | None = None,
) -> list[Notification]:
    """Notify users (never the actor themself) according to their preferences.

    With a ``subject``, a person's open notification about the same object is updated (moved to
    the top, counted) instead of a second one being added."""
    kind = TYPES.get(type)
    if kind is None:
        raise ValueError(f"unknown notification type {type!r}")
    recipients = {u for u in user_ids if u is not None and (actor is None or u != actor.user_id)}
    if not recipients:
        return []
    active = {
        uid
        for uid in session.exec(
            select(User.id).where(col(User.id).in_(sorted(recipients)), col(User.is_active))
        ).all()
        if uid is not None
    }
    prefs = preferences_for(session, active)
    open_rows = _open_about(session, subject, active)
    created: list[Notification] = []
    now = utcnow()
    for user_id in sorted(active):
        pref = prefs.get((user_id, type))
        in_app = pref.channel_in_app if pref else kind.in_app_default
        email = pref.channel_email if pref else kind.email_default
        if not in_app and not email:
            continue
        note = open_rows.get(user_id) if in_app else None
        if note is not None and subject is not None:
            note.repeats += 1
            note.title = f"{subject.label} — {note.repeats} updates"[:300]
            note.body = (f"Latest: {title}" + (f" — {body}" if body else ""))[:2000]
            note.type = type
            note.url = url
            note.created_at = now
            note.actor_label = actor.label if actor else ""
            if email:
                note.email_wanted, note.emailed_at = True, None
        else:
            note = Notification(
                user_id=user_id,
                company_id=company_id,
                type=type,
                title=title[:300],
                body=body[:2000],
                url=url,
                actor_label=actor.label if actor else "",
                in_app=in_app,
                email_wanted=email,
                subject_type=subject.type if subject else None,
                subject_id=subject.id if subject else None,
                created_at=now,
            )
        session.add(note)
        created.append(note)
    session.flush()
    _touch(session, (n.user_id for n in created if n.in_app))
    wanted = {n.user_id for n in created if n.email_wanted}
    if wanted:
        from services.events.digests import schedule_digests

        schedule_digests(session, wanted)
    return created


def _open_about(
    session: Session, subject: Subject | None, user_ids: set[int]
) -> dict[int, Notification]:
    """Each user's open (in-app, unread, not archived, not done) notification about ``subject``."""
    if subject is None or subject.id is None or not user_ids:
        return {}
    rows = session.exec(
        select(Notification)
        .where(
            Notification.subject_type == subject.type,
            Notification.subject_id == subject.id,
            col(Notification.user_id).in_(sorted(user_ids)),
            col(Notification.in_app),
            col(Notification.read_at).is_(None),
            col(Notification.archived_at).is_(None),
            col(Notification.done_at).is_(None),
        )
        .order_by(col(Notification.id))
    ).all()
    return {n.user_id: n for n in rows}


def resolve(session: Session, *, subject: Subject, types: Iterable[str]) -> int:
    """The work ``types`` ask for about ``subject`` is done: mark those notifications done (and
    read, so they leave the bell and the digest) for everyone who got them; returns how many."""
    kinds = sorted(set(types))
    unknown = [k for k in kinds if k not in TYPES]
    if unknown:
        raise ValueError(f"unknown notification types {unknown!r}")
    if subject.id is None or not kinds:
        return 0
    rows = session.exec(
        select(Notification).where(
            Notification.subject_type == subject.type,
            Notification.subject_id == subject.id,
            col(Notification.type).in_(kinds),
            col(Notification.done_at).is_(None),
        )
    ).all()
    now = utcnow()
    for row in rows:
        row.done_at = now
        row.read_at = row.read_at or now
        session.add(row)
    session.flush()
    _touch(session, (r.user_id for r in rows))
    return len(rows)


# The in-app list ----------------------------------------------------------------------------

FILTERS = ("all", "unread", "archived")
MAX_LIMIT = 100
PER_PAGE = 20


def _mine(user_id: int) -> SelectOfScalar[Notification]:
    return select(Notification).where(Notification.user_id == user_id, col(Notification.in_app))


def _listed(user_id: int, filter: str) -> SelectOfScalar[Notification]:  # noqa: A002
    """``all`` (not archived), ``unread`` or ``archived``, newest first."""
    if filter not in FILTERS:
        raise Invalid(
            "filter must be all, unread or archived.",
            errors={"filter": ["Choose all, unread or archived."]},
        )
    stmt = _mine(user_id)
    if filter == "archived":
        stmt = stmt.where(col(Notification.archived_at).is_not(None))
    else:
        stmt = stmt.where(col(Notification.archived_at).is_(None))
    if filter == "unread":
        stmt = stmt.where(col(Notification.read_at).is_(None))
    return stmt.order_by(col(Notification.created_at).desc(), col(Notification.id).desc())


def list_notifications(
    session: Session,
    *,
    user_id: int,
    filter: str = "all",  # noqa: A002
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Notification], int]:
    """A user's notifications, newest first: ``all`` (not archived), ``unread`` or ``archived``
    (``limit``/``offset``: the API's paging)."""
    stmt = _listed(user_id, filter)
    if limit < 1 or limit > MAX_LIMIT or offset < 0:
        raise Invalid(errors={"limit": [f"limit is 1 to {MAX_LIMIT}; offset is 0 or more."]})
    rows = session.exec(stmt.limit(limit).offset(offset)).all()
    return list(rows), count(session, stmt)


@dataclass(frozen=True)
class NotificationsView:
    """The notifications page: one page of the chosen list and the bell's count."""

    rows: Page[Notification]
    unread: int
    which: str


def notifications_view(
    session: Session,
    *,
    user_id: int,
    filter: str = "all",
    page: int = 1,  # noqa: A002
) -> NotificationsView:
    """One page of a person's notifications (an unknown ``filter`` shows ``all``)."""
    which = filter if filter in FILTERS else "all"
    rows: Page[Notification] = paginate(
        session, _listed(user_id, which), page=page, per_page=PER_PAGE
    )
    return NotificationsView(rows=rows, unread=unread_count(session, user_id=user_id), which=which)


PANEL_SIZE = 8


@dataclass(frozen=True)
class PanelView:
    """The bell's panel: the latest notifications (not archived) and the unread count."""

    rows: list[Notification]
    unread: int


def panel_view(session: Session, *, user_id: int) -> PanelView:
    rows = session.exec(_listed(user_id, "all").limit(PANEL_SIZE)).all()
    return PanelView(rows=list(rows), unread=unread_count(session, user_id=user_id))


def unread_count(session: Session, *, user_id: int) -> int:
    """Unread, not archived, in-app notifications (the bell's number): one query."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.user_id == user_id,
                col(Notification.in_app),
                col(Notification.read_at).is_(None),
                col(Notification.archived_at).is_(None),
            )
        ).one()
    )


def get_notification(session: Session, *, user_id: int, notification_id: int) -> Notification:
    """One of the user's own notifications (anyone else's is a 404)."""
    row = session.exec(_mine(user_id).where(Notification.id == notification_id)).first()
    if row is None:
        raise NotFound()
    return row


def mark_read(session: Session, *, user_id: int, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (someone else's is a 404)."""
    row = get_notification(session, user_id=user_id, notification_id=notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
        session.add(row)
        session.flush()
        _touch(session, [user_id])
    return row


def mark_all_read(session: Session, *, user_id: int) -> int:
    """Mark every unread in-app notification read; returns how many."""
    result = session.exec(
        update(Notification)
        .where(
            col(Notification.user_id) == user_id,
            col(Notification.in_app),  # email-only rows were never seen: they still get mailed
            col(Notification.read_at).is_(None),
        )
        .values(read_at=utcnow())
    )
    _touch(session, [user_id])
    return int(getattr(result, "rowcount", 0) or 0)


def archive(session: Session, *, user_id: int, notification_id: int) -> Notification:
    """Archive (and so also read) one notification."""
    row = get_notification(session, user_id=user_id, notification_id=notification_id)
    now = utcnow()
    row.archived_at = row.archived_at or now
    row.read_at = row.read_at or now
    session.add(row)
    session.flush()
    _touch(session, [user_id])
    return row


# Preferences --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreferenceRow:
    notification_type: str
    label: str
    channel_in_app: bool
    channel_email: bool


def preference_rows(session: Session, *, user_id: int) -> list[PreferenceRow]:
    """Every type with the user's choice merged over the type's defaults."""
    saved = preferences_for(session, [user_id])
    rows = []
    for key, kind in TYPES.items():
        pref = saved.get((user_id, key))
        rows.append(
            PreferenceRow(
                notification_type=key,
                label=kind.label,
                channel_in_app=pref.channel_in_app if pref else kind.in_app_default,
                channel_email=pref.channel_email if pref else kind.email_default,
            )
        )
    return rows


def save_preferences(
    session: Session, *, user_id: int, data: NotificationPreferencesUpdate
) -> None:
    """Store the chosen channels per type; unknown types are a validation error."""
    unknown = sorted({p.notification_type for p in data.preferences} - set(TYPES))
    if unknown:
        raise Invalid(errors={"notification_type": [f"Unknown type: {', '.join(unknown)}."]})
    saved = preferences_for(session, [user_id])
    for choice in data.preferences:
        key = choice.notification_type
        pref = saved.get((user_id, key)) or NotificationPreference(
            user_id=user_id, notification_type=key
        )
        pref.channel_in_app = choice.channel_in_app
        pref.channel_email = choice.channel_email
        session.add(pref)
    session.flush()
