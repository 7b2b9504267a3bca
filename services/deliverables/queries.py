"""Read side of deliverables: lists, the client's "waiting for you", the PM approvals queue and
the detail page, each in a fixed number of queries.

What a client may not see yet (a deliverable with nothing released, versions behind the internal
gate) is declared on the models (``__staff_only__``) and applied by ``scoped()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_
from sqlmodel import Session, col, func, select

from portal.errors import NotFound
from portal.models import (
    ActivityLog,
    ApprovalReceipt,
    ClientRole,
    Deliverable,
    DeliverableCategory,
    DeliverableStatus,
    DeliverableVersion,
    Portal,
    Project,
    User,
)
from portal.models.activity import INTERNAL_DELIVERABLE_ACTIVITY
from portal.tenancy import Actor, role_at_least, scoped
from portal.web.pagination import Head, Page, count, head, paginate
from services.deliverables import settings as deliverable_settings
from services.events import activity
from services.projects import company_projects

PAGE_SIZE = 20
STATUSES = [s.value for s in DeliverableStatus]


@dataclass(frozen=True)
class DeliverableRow:
    deliverable: Deliverable
    version: DeliverableVersion | None  # the version this viewer sees
    category: DeliverableCategory | None


@dataclass(frozen=True)
class DeliverableListing:
    page: Page[DeliverableRow]
    counts: dict[str, int]  # per status, before the status filter

    @property
    def rows(self) -> list[DeliverableRow]:
        return list(self.page.items)

    @property
    def total(self) -> int:
        return self.page.total


def _shown_version(actor: Actor) -> Any:
    """The version a viewer sees: the latest for staff, the latest released for clients."""
    column = Deliverable.current_version if actor.is_staff else Deliverable.visible_version
    return and_(
        col(DeliverableVersion.deliverable_id) == Deliverable.id,
        col(DeliverableVersion.number) == column,
    )


def _with_version(actor: Actor) -> Any:
    return (
        select(Deliverable, DeliverableVersion, DeliverableCategory)
        .outerjoin(DeliverableVersion, _shown_version(actor))
        .outerjoin(DeliverableCategory, col(DeliverableCategory.id) == Deliverable.category_id)
    )


def list_deliverables(
    session: Session,
    *,
    actor: Actor,
    company_id: int,
    status: str | None = None,
    query: str = "",
    page: int = 1,
) -> DeliverableListing:
    """One company's deliverables, newest activity first, filtered, searched and paged."""
    base = scoped(select(Deliverable), actor, Deliverable).where(
        Deliverable.company_id == company_id
    )
    if query:
        base = base.where(func.lower(Deliverable.name).like(f"%{query.lower()}%"))
    sub = base.subquery()
    counts = {
        s: int(n)
        for s, n in session.exec(select(sub.c.status, func.count()).group_by(sub.c.status)).all()
    }
    if status in STATUSES:
        base = base.where(Deliverable.status == status)
        total = counts.get(status, 0)
    else:
        total = sum(counts.values())
    rows = paginate(
        session,
        _with_version(actor)
        .where(col(Deliverable.id).in_(base.with_only_columns(col(Deliverable.id))))
        .order_by(col(Deliverable.updated_at).desc(), col(Deliverable.id).desc()),
        page=page,
        per_page=PAGE_SIZE,
        scalars=False,
        total=total,
    )
    return DeliverableListing(rows.map(lambda r: DeliverableRow(*r)), counts)


# What waits for this visitor: the first rows and how many there are in all (the one count the
# dashboard and the Deliverables tab both show).
Waiting = Head[DeliverableRow]


def waiting_for(session: Session, *, actor: Actor, limit: int = 10) -> Waiting:
    """Deliverables in review that this client user can approve, across the companies the
    actor sees (a portal's group); none for viewers and staff. Counted only when there are more
    than ``limit``."""
    if actor.is_staff or not role_at_least(actor, ClientRole.collaborator):
        return Waiting(rows=[], total=0)
    stmt = scoped(_with_version(actor), actor, Deliverable).where(
        Deliverable.status == DeliverableStatus.in_review
    )
    first = head(session, stmt, order_by=[col(Deliverable.updated_at)], limit=limit)
    return Waiting(rows=[DeliverableRow(d, v, c) for d, v, c in first.rows], total=first.total)


@dataclass(frozen=True)
class DeliverablesPage:
    """The Deliverables tab: the listing, what waits for this visitor, and (for staff who may
    add deliverables) the create form's choices."""

    listing: DeliverableListing
    waiting: Waiting
    status: str  # the status filter, "" for all
    q: str
    staff: bool  # the agency's view: the create form, versions not released yet
    categories: list[DeliverableCategory] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)


def deliverables_page(
    session: Session,
    *,
    actor: Actor,
    company_id: int,
    can_write: bool,
    status: str = "",
    q: str = "",
    page: int = 1,
) -> DeliverablesPage:
    """A portal's Deliverables tab (``can_write``: the portal lets this visitor change things)."""
    status = status if status in STATUSES else ""
    q = q.strip()[:100]
    staff = can_write and actor.is_staff
    return DeliverablesPage(
        listing=list_deliverables(
            session, actor=actor, company_id=company_id, status=status or None, query=q, page=page
        ),
        waiting=waiting_for(session, actor=actor),
        status=status,
        q=q,
        staff=staff,
        categories=deliverable_settings.list_categories(session) if staff else [],
        projects=company_projects(session, actor=actor, company_id=company_id) if staff else [],
    )


# What the PM should do next, most urgent first.
QUEUE_NEEDS = {
    "revision": "Upload a revision",
    "release": "Approve internally",
    "submit": "Send for review",
    "client": "Waiting on the client",
}


@dataclass(frozen=True)
class QueueRow:
    deliverable: Deliverable
    portal: Portal
    needs: str

    @property
    def needs_label(self) -> str:
        return QUEUE_NEEDS[self.needs]


def _needs(d: Deliverable) -> str:
    if d.status == DeliverableStatus.revision_requested:
        return "revision"
    if d.status == DeliverableStatus.pending:
        return "release" if d.visible_version != d.current_version else "submit"
    return "client"


def approvals_queue(session: Session, *, actor: Actor, limit: int = 200) -> list[QueueRow]:
    """Open deliverables across every portal the staff member may see, most urgent first."""
    if not actor.is_staff:
        return []
    rows = session.exec(
        scoped(select(Deliverable, Portal), actor, Deliverable)
        .join(Portal, col(Portal.company_id) == Deliverable.company_id)
        .where(Deliverable.status != DeliverableStatus.approved)
        .order_by(col(Deliverable.updated_at).desc())
        .limit(limit)
    ).all()
    order = list(QUEUE_NEEDS)
    queue = [QueueRow(d, p, _needs(d)) for d, p in rows]
    return sorted(queue, key=lambda r: order.index(r.needs))


@dataclass(frozen=True)
class DeliverableDetail:
    deliverable: Deliverable
    category: DeliverableCategory | None
    project: Project | None
    versions: list[DeliverableVersion]  # newest first
    receipts: list[ApprovalReceipt]
    history: list[ActivityLog]
    people: dict[int, User]
    can_manage: bool = False  # upload, send, release, extend (staff)
    can_review: bool = False  # approve or ask for a revision (client collaborators and admins)

    @property
    def shown(self) -> DeliverableVersion | None:
        return self.versions[0] if self.versions else None

    def name_of(self, user_id: int | None) -> str:
        user = self.people.get(user_id) if user_id is not None else None
        return user.display_name if user else "—"


def deliverable_detail(
    session: Session, *, actor: Actor, deliverable_id: int, can_write: bool = False
) -> DeliverableDetail:
    """Everything the detail page shows; only released versions for clients
    (``can_write``: the portal lets this visitor act)."""
    row = session.exec(
        scoped(
            select(Deliverable, DeliverableCategory, Project)
            .outerjoin(DeliverableCategory, col(DeliverableCategory.id) == Deliverable.category_id)
            .outerjoin(Project, col(Project.id) == Deliverable.project_id),
            actor,
            Deliverable,
        ).where(Deliverable.id == deliverable_id)
    ).first()
    if row is None:
        raise NotFound()
    d, category, project = row
    versions = list(
        session.exec(
            scoped(select(DeliverableVersion), actor, DeliverableVersion)
            .where(DeliverableVersion.deliverable_id == d.id)
            .order_by(col(DeliverableVersion.number).desc())
        ).all()
    )
    receipts = list(
        session.exec(
            select(ApprovalReceipt)
            .where(ApprovalReceipt.deliverable_id == d.id)
            .order_by(col(ApprovalReceipt.approved_at).desc())
        ).all()
    )
    history = activity.object_history(
        session,
        actor=actor,
        object_types=("deliverable", INTERNAL_DELIVERABLE_ACTIVITY),
        object_id=deliverable_id,
        limit=50,
    )
    user_ids = {
        u
        for u in [
            d.approved_by_id,
            *[v.uploaded_by_id for v in versions],
            *[v.internal_approved_by_id for v in versions],
        ]
        if u is not None
    }
    people = (
        {
            u.id: u
            for u in session.exec(select(User).where(col(User.id).in_(sorted(user_ids)))).all()
            if u.id is not None
        }
        if user_ids
        else {}
    )
    return DeliverableDetail(
        d,
        category,
        project,
        versions,
        receipts,
        history,
        people,
        can_manage=can_write and actor.is_staff,
        can_review=can_write
        and not actor.is_staff
        and role_at_least(actor, ClientRole.collaborator),
    )


@dataclass(frozen=True)
class ApiRow:
    deliverable: Deliverable
    version: DeliverableVersion | None
    category_slug: str
    portal_slug: str

    @property
    def version_count(self) -> int:
        return self.version.number if self.version else 0


def api_deliverables(
    session: Session,
    *,
    actor: Actor,
    company_id: int | None = None,
    deliverable_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ApiRow], int]:
    """Rows for the JSON API (reference 003's list): one company's, or one deliverable, newest
    first, with a total count."""
    base = scoped(select(col(Deliverable.id)), actor, Deliverable)
    if company_id is not None:
        base = base.where(Deliverable.company_id == company_id)
    if deliverable_id is not None:
        base = base.where(Deliverable.id == deliverable_id)
    if status in STATUSES:
        base = base.where(Deliverable.status == status)
    rows = session.exec(
        select(Deliverable, DeliverableVersion, DeliverableCategory.slug, Portal.slug)
        .outerjoin(DeliverableVersion, _shown_version(actor))
        .outerjoin(DeliverableCategory, col(DeliverableCategory.id) == Deliverable.category_id)
        .join(Portal, col(Portal.company_id) == Deliverable.company_id)
        .where(col(Deliverable.id).in_(base))
        .order_by(col(Deliverable.created_at).desc(), col(Deliverable.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [ApiRow(d, v, c or "", p) for d, v, c, p in rows], count(session, base)
