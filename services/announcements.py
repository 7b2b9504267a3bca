"""Announcements: agency news for one portal or for every portal (``company_id`` null).

An agency-wide announcement belongs to no company, so it is visible to everyone; the others
follow the tenancy of their company. Inside a portal the actor is narrowed to its group, so
"the portal's news" is simply what the actor may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import or_
from sqlmodel import Session, col, select

from portal.errors import Forbidden, NotFound
from portal.models import Announcement, Company, Portal, User
from portal.models.activity import Action
from portal.models.announcement import AnnouncementCreate
from portal.tenancy import Actor, get_for_actor, require_staff, staff_can
from portal.text import plain_excerpt, render_markdown
from services.events import activity
from services.events.notifications import notify
from services.portals import switcher_portals

LATEST = 20
STAFF_LIMIT = 50


def _visible(stmt: Any, actor: Actor) -> Any:
    """``stmt`` kept to announcements the actor may read: agency-wide ones and its companies'."""
    if actor.sees_all:
        return stmt
    return stmt.where(
        or_(
            col(Announcement.company_id).is_(None),
            col(Announcement.company_id).in_(sorted(actor.company_ids or [])),
        )
    )


def _newest_first(stmt: Any) -> Any:
    return stmt.order_by(col(Announcement.published_at).desc(), col(Announcement.id).desc())


def latest_announcements(
    session: Session, *, actor: Actor, limit: int = LATEST
) -> list[Announcement]:
    """The newest announcements the actor sees, agency-wide ones included (dashboard, API)."""
    stmt = _newest_first(_visible(select(Announcement), actor)).limit(min(max(1, limit), LATEST))
    return list(session.exec(stmt).all())


@dataclass(frozen=True)
class AnnouncementItem:
    announcement: Announcement
    html: Markup


def announcements_page(session: Session, *, actor: Actor) -> list[AnnouncementItem]:
    """The portal's Announcements tab: the latest 20, rendered."""
    return [
        AnnouncementItem(a, render_markdown(a.body))
        for a in latest_announcements(session, actor=actor)
    ]


@dataclass(frozen=True)
class StaffAnnouncement:
    announcement: Announcement
    company_name: str | None  # None: every portal


@dataclass(frozen=True)
class AnnouncementsAdmin:
    """The staff page: what was published, where it can go, and whether "everyone" is allowed."""

    rows: list[StaffAnnouncement]
    portals: list[Portal]
    can_announce_all: bool


def staff_announcements(
    session: Session, *, actor: Actor, limit: int = STAFF_LIMIT
) -> list[StaffAnnouncement]:
    """What the staff area lists: announcements the actor may see, with the company name."""
    if not actor.is_staff:
        raise NotFound()
    stmt = _visible(select(Announcement, Company.name), actor).outerjoin(
        Company, col(Company.id) == Announcement.company_id
    )
    rows = session.exec(_newest_first(stmt).limit(limit)).all()
    return [StaffAnnouncement(a, name) for a, name in rows]


def admin_view(session: Session, *, actor: Actor) -> AnnouncementsAdmin:
    """Everything ``/admin/announcements`` shows."""
    return AnnouncementsAdmin(
        rows=staff_announcements(session, actor=actor),
        portals=switcher_portals(session, actor=actor),
        can_announce_all=staff_can(actor, "announcement.create"),
    )


def _check_write(actor: Actor, company_id: int | None) -> None:
    if company_id is None:
        require_staff(
            actor, "announcement.create", "Only agency admins can announce to every portal."
        )
    elif not (staff_can(actor, "announcement.create") or staff_can(actor, "portal.manage")):
        raise Forbidden()


def create_announcement(
    session: Session, *, actor: Actor, data: AnnouncementCreate
) -> Announcement:
    """Publish now and notify the people who will see it (``announcement`` type)."""
    company_id = data.company_id
    if company_id is not None:
        company_id = get_for_actor(session, Company, company_id, actor).id
    _check_write(actor, company_id)
    row = Announcement(
        company_id=company_id, title=data.title, body=data.body, author_id=actor.user_id
    )
    session.add(row)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=company_id,
        action=Action.announcement_published,
        object_type="announcement",
        object_id=row.id,
        object_label=data.title,
        description=f"{actor.label or 'The team'} announced {data.title}",
    )
    _notify_audience(session, actor=actor, row=row)
    return row


def _notify_audience(session: Session, *, actor: Actor, row: Announcement) -> None:
    """Client users of the portal (or of every portal); each gets a link into their own portal."""
    stmt = (
        select(User.id, User.company_id, Portal.slug)
        .join(Portal, col(Portal.company_id) == User.company_id)
        .where(col(User.is_active).is_(True), col(User.is_staff).is_(False))
    )
    if row.company_id is not None:
        stmt = stmt.where(User.company_id == row.company_id)
    by_portal: dict[tuple[int, str], list[int]] = {}
    for uid, cid, slug in session.exec(stmt).all():
        if uid is not None and cid is not None:
            by_portal.setdefault((cid, slug), []).append(uid)
    for (cid, slug), user_ids in by_portal.items():
        notify(
            session,
            user_ids=user_ids,
            type="announcement",
            title=row.title,
            body=plain_excerpt(row.body),
            url=f"/p/{slug}/announcements#announcement-{row.id}",
            company_id=cid,
            actor=actor,
        )


def delete_announcement(session: Session, *, actor: Actor, announcement_id: int) -> None:
    """Staff who may publish where it went can delete it; clients find no such thing."""
    if not actor.is_staff:
        raise NotFound()
    row = get_for_actor(session, Announcement, announcement_id, actor)
    _check_write(actor, row.company_id)
    session.delete(row)
    session.flush()
