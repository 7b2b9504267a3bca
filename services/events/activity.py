"""The activity log: every write records who did what (reference 003 action names)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from portal.models import ActivityLog, PortalManager, User
from portal.models.activity import Action
from portal.tenancy import Actor, first_ids_per_company, scoped
from portal.web.pagination import Page, clamp_page, count
from services.events import webhooks

PER_PAGE = 25
# The activity page's "What" filter, and the label of every action
FILTER_ACTIONS: dict[str, str] = {a.value: a.label for a in Action if a.filterable}
LABELS: dict[str, str] = {a.value: a.label for a in Action}


def record(
    session: Session,
    *,
    actor: Actor,
    company_id: int | None,
    action: Action,
    object_type: str = "",
    object_id: int | None = None,
    object_label: str = "",
    description: str = "",
) -> ActivityLog:
    """Write one activity row in the caller's transaction and queue its webhook deliveries."""
    row = ActivityLog(
        company_id=company_id,
        actor_id=actor.user_id,
        actor_label=actor.label,
        action=action.value,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:300],
        description=description[:1000],
    )
    session.add(row)
    session.flush()
    webhooks.emit_for_activity(session, row)
    return row


NEWEST_FIRST = (col(ActivityLog.created_at).desc(), col(ActivityLog.id).desc())
# The activity page counts rows only this many pages past the one shown ("Page 3 of 13 or
# more"): an exact count read the whole group's log on every view.
COUNT_PAGES_AHEAD = 10


def _filtered(
    stmt: SelectOfScalar[Any], action: str | None = None, actor_id: int | None = None
) -> SelectOfScalar[Any]:
    if action:
        stmt = stmt.where(ActivityLog.action == action)
    if actor_id is not None:
        stmt = stmt.where(ActivityLog.actor_id == actor_id)
    return stmt


def _newest_first(
    actor: Actor, action: str | None = None, actor_id: int | None = None
) -> SelectOfScalar[ActivityLog]:
    return _filtered(scoped(select(ActivityLog), actor, ActivityLog), action, actor_id).order_by(
        *NEWEST_FIRST
    )


def _newest(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    offset: int = 0,
    action: str | None = None,
    actor_id: int | None = None,
) -> list[ActivityLog]:
    """Rows ``offset`` … ``offset + limit`` of the feed, newest first: the newest of each
    company of the group (one index scan each), then the page of those."""
    wanted = first_ids_per_company(
        _filtered(select(ActivityLog.id), action, actor_id),
        actor,
        ActivityLog,
        order_by=NEWEST_FIRST,
        limit=offset + limit,
    )
    rows = session.exec(
        select(ActivityLog)
        .where(col(ActivityLog.id).in_(wanted))
        .order_by(*NEWEST_FIRST)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows)


def latest_activity(session: Session, *, actor: Actor, limit: int = 8) -> list[ActivityLog]:
    """The newest entries the actor may see (the dashboards' feed)."""
    return _newest(session, actor=actor, limit=limit)


def list_activity(
    session: Session,
    *,
    actor: Actor,
    limit: int = PER_PAGE,
    offset: int = 0,
    action: str | None = None,
    actor_id: int | None = None,
) -> tuple[list[ActivityLog], int]:
    """Newest first, within what the actor may see (``limit``/``offset``: the API's paging);
    optionally one action type or one person."""
    stmt = _newest_first(actor, action, actor_id)
    rows = _newest(
        session, actor=actor, limit=limit, offset=offset, action=action, actor_id=actor_id
    )
    return rows, count(session, stmt)


def activity_people(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """People the activity filter offers: the group's users and its assigned managers."""
    company_ids = sorted(actor.company_ids or [])
    managers = select(PortalManager.user_id).where(col(PortalManager.company_id).in_(company_ids))
    rows = session.exec(
        select(User.id, User.name, User.email)
        .where(or_(col(User.company_id).in_(company_ids), col(User.id).in_(managers)))
        .order_by(col(User.name))
        .limit(200)
    ).all()
    return [(uid, name or email.split("@", 1)[0]) for uid, name, email in rows if uid is not None]


@dataclass(frozen=True)
class ActivityView:
    """The activity page: one page of entries, the filters offered and the ones chosen."""

    rows: Page[ActivityLog]
    people: list[tuple[int, str]]
    action: str  # "" when not filtered
    person: int | None


def activity_view(
    session: Session,
    *,
    actor: Actor,
    action: str | None = None,
    person: int | None = None,
    page: int = 1,
) -> ActivityView:
    """The portal's activity feed, newest first; an unknown ``action`` filter is ignored."""
    action = action if action in FILTER_ACTIONS else ""
    number = max(1, page)
    window = (number + COUNT_PAGES_AHEAD) * PER_PAGE
    # each company's newest ``window + 1`` (index scans): more than ``window`` in all means
    # "or more"; fewer, and every company was counted whole
    ahead = first_ids_per_company(
        _filtered(select(ActivityLog.id), action or None, person),
        actor,
        ActivityLog,
        order_by=NEWEST_FIRST,
        limit=window + 1,
    )
    counted = session.execute(select(func.count()).select_from(ahead.subquery())).scalar()
    seen = min(int(counted or 0), window + 1)
    number = clamp_page(number, total=seen, per_page=PER_PAGE)
    items = _newest(
        session,
        actor=actor,
        limit=PER_PAGE,
        offset=(number - 1) * PER_PAGE,
        action=action or None,
        actor_id=person,
    )
    rows = Page(items, min(seen, window), number, PER_PAGE, more=seen > window)
    return ActivityView(
        rows=rows,
        people=activity_people(session, actor=actor),
        action=action,
        person=person,
    )


def object_history(
    session: Session,
    *,
    actor: Actor,
    object_types: tuple[str, ...],
    object_id: int,
    limit: int = 30,
) -> list[ActivityLog]:
    """One object's history, newest first (a deliverable, an invoice, a budget): its rows under
    any of ``object_types`` (the public type and its staff-only twin; scoped() hides the latter
    from clients)."""
    return list(
        session.exec(
            scoped(select(ActivityLog), actor, ActivityLog)
            .where(
                col(ActivityLog.object_type).in_(object_types),
                ActivityLog.object_id == object_id,
            )
            .order_by(col(ActivityLog.created_at).desc(), col(ActivityLog.id).desc())
            .limit(limit)
        ).all()
    )
