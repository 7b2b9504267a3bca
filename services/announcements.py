"""Announcements: agency news for one portal or for every portal (``company_id`` null)."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import Announcement, Company, Portal, User
from portal.models.activity import Action
from portal.tenancy import Actor, get_for_actor
from portal.text import plain_excerpt
from services.events import activity
from services.events.notifications import notify

LATEST = 20


def latest_announcements(
    session: Session, *, actor: Actor, company_ids: list[int], limit: int = LATEST
) -> list[Announcement]:
    """The newest announcements for these companies plus agency-wide ones (dashboard, tab, API)."""
    visible = [c for c in company_ids if actor.can_see_company(c)]
    return list(
        session.exec(
            select(Announcement)
            .where(
                or_(
                    Announcement.company_id.is_(None),  # type: ignore[union-attr]
                    Announcement.company_id.in_(visible or [-1]),  # type: ignore[union-attr]
                )
            )
            .order_by(Announcement.published_at.desc(), Announcement.id.desc())  # type: ignore[attr-defined]
            .limit(min(max(1, limit), LATEST))
        ).all()
    )


def staff_announcements(session: Session, *, actor: Actor, limit: int = 50) -> list[tuple]:
    """What the staff area lists: announcements the actor may see, with the company name."""
    if not actor.is_staff:
        raise NotFound()
    stmt = select(Announcement, Company.name).outerjoin(
        Company, Company.id == Announcement.company_id
    )
    if not actor.sees_all:
        stmt = stmt.where(
            or_(
                Announcement.company_id.is_(None),  # type: ignore[union-attr]
                Announcement.company_id.in_(sorted(actor.company_ids or [])),  # type: ignore[union-attr]
            )
        )
    return list(
        session.exec(
            stmt.order_by(Announcement.published_at.desc(), Announcement.id.desc()).limit(limit)  # type: ignore[attr-defined]
        ).all()
    )


def _check_write(actor: Actor, company_id: int | None) -> None:
    if not actor.is_staff:
        raise Forbidden()
    if company_id is None and not actor.can("announcement.create"):
        raise Forbidden("Only agency admins can announce to every portal.")
    if company_id is not None and not (
        actor.can("announcement.create") or actor.can("portal.manage")
    ):
        raise Forbidden()


def create_announcement(
    session: Session, *, actor: Actor, title: str, body: str, company_id: int | None = None
) -> Announcement:
    """Publish now and notify the people who will see it (``announcement`` type)."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        errors["title"] = ["Give the announcement a title."]
    elif len(title) > 200:
        errors["title"] = ["Keep the title under 200 characters."]
    if len(body) > 20_000:
        errors["body"] = ["Keep it under 20,000 characters."]
    if errors:
        raise Invalid(errors=errors)
    if company_id is not None:
        company_id = get_for_actor(session, Company, company_id, actor).id
    _check_write(actor, company_id)
    row = Announcement(company_id=company_id, title=title, body=body, author_id=actor.user_id)
    session.add(row)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=company_id,
        action=Action.announcement_published,
        object_type="announcement",
        object_id=row.id,
        object_label=title,
        description=f"{actor.label or 'The team'} announced {title}",
    )
    _notify_audience(session, actor=actor, row=row)
    return row


def _notify_audience(session: Session, *, actor: Actor, row: Announcement) -> None:
    """Client users of the portal (or of every portal); each gets a link into their own portal."""
    stmt = (
        select(User.id, User.company_id, Portal.slug)
        .join(Portal, Portal.company_id == User.company_id)
        .where(User.is_active, User.is_staff == False)  # type: ignore[arg-type]  # noqa: E712
    )
    if row.company_id is not None:
        stmt = stmt.where(User.company_id == row.company_id)
    by_portal: dict[tuple[int, str], list[int]] = {}
    for uid, cid, slug in session.exec(stmt).all():
        by_portal.setdefault((cid, slug), []).append(uid)  # type: ignore[arg-type]
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


def delete_announcement(session: Session, *, actor: Actor, announcement_id: object) -> None:
    try:
        pk = int(announcement_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise NotFound() from None
    row = session.get(Announcement, pk)
    if row is None or not actor.is_staff or not actor.can_see_company(row.company_id):
        raise NotFound()
    _check_write(actor, row.company_id)
    session.delete(row)
    session.flush()
