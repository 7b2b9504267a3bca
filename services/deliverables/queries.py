"""Read side of deliverables: lists, the client's "waiting for you", the PM approvals queue and
the detail page, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_
from sqlmodel import Session, func, select

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
from portal.tenancy import Actor, get_for_actor, role_at_least, scoped

PAGE_SIZE = 20
STATUSES = [s.value for s in DeliverableStatus]


@dataclass(frozen=True)
class DeliverableRow:
    deliverable: Deliverable
    version: DeliverableVersion | None  # the version this viewer sees
    category: DeliverableCategory | None


@dataclass(frozen=True)
class DeliverablePage:
    rows: list[DeliverableRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]  # per status, before the status filter


def _shown_version(actor: Actor) -> object:
    column = Deliverable.current_version if actor.is_staff else Deliverable.visible_version
    return and_(
        DeliverableVersion.deliverable_id == Deliverable.id,
        DeliverableVersion.number == column,
    )


def _visible(stmt, actor: Actor):  # noqa: ANN001, ANN202 - a select in, the same select out
    stmt = scoped(stmt, actor, Deliverable)
    if not actor.is_staff:
        stmt = stmt.where(Deliverable.visible_version.is_not(None))  # type: ignore[union-attr]
    return stmt


def list_deliverables(
    session: Session,
    *,
    actor: Actor,
    company_id: int,
    status: str | None = None,
    query: str = "",
    page: int = 1,
) -> DeliverablePage:
    """One company's deliverables, newest activity first, filtered, searched and paged."""
    base = _visible(select(Deliverable), actor).where(Deliverable.company_id == company_id)
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
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    ids = base.with_only_columns(Deliverable.id)  # type: ignore[attr-defined]
    rows = session.exec(
        select(Deliverable, DeliverableVersion, DeliverableCategory)
        .outerjoin(DeliverableVersion, _shown_version(actor))
        .outerjoin(DeliverableCategory, DeliverableCategory.id == Deliverable.category_id)
        .where(Deliverable.id.in_(ids))  # type: ignore[union-attr]
        .order_by(Deliverable.updated_at.desc(), Deliverable.id.desc())  # type: ignore[attr-defined]
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return DeliverablePage(
        rows=[DeliverableRow(d, v, c) for d, v, c in rows],
        total=total,
        page=page,
        pages=pages,
        counts=counts,
    )


def waiting_for(
    session: Session, actor: Actor, company_ids: Iterable[int], *, limit: int = 10
) -> list[DeliverableRow]:
    """Deliverables in review that this client user can approve (empty for viewers and staff)."""
    ids = sorted(set(company_ids))
    if actor.is_staff or not role_at_least(actor, ClientRole.collaborator) or not ids:
        return []
    rows = session.exec(
        _visible(
            select(Deliverable, DeliverableVersion, DeliverableCategory)
            .outerjoin(DeliverableVersion, _shown_version(actor))
            .outerjoin(DeliverableCategory, DeliverableCategory.id == Deliverable.category_id),
            actor,
        )
        .where(
            Deliverable.company_id.in_(ids),  # type: ignore[attr-defined]
            Deliverable.status == DeliverableStatus.in_review,
        )
        .order_by(Deliverable.updated_at)
        .limit(limit)
    ).all()
    return [DeliverableRow(d, v, c) for d, v, c in rows]


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


def approvals_queue(session: Session, actor: Actor, *, limit: int = 200) -> list[QueueRow]:
    """Open deliverables across every portal the staff member may see, most urgent first."""
    if not actor.is_staff:
        return []
    rows = session.exec(
        scoped(select(Deliverable, Portal), actor, Deliverable)
        .join(Portal, Portal.company_id == Deliverable.company_id)
        .where(Deliverable.status != DeliverableStatus.approved)
        .order_by(Deliverable.updated_at.desc())  # type: ignore[attr-defined]
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

    @property
    def shown(self) -> DeliverableVersion | None:
        return self.versions[0] if self.versions else None

    def name_of(self, user_id: int | None) -> str:
        user = self.people.get(user_id) if user_id is not None else None
        return user.display_name if user else "—"


def deliverable_detail(
    session: Session, *, actor: Actor, deliverable_id: int, company_id: int
) -> DeliverableDetail:
    """Everything the detail page shows; only released versions for clients."""
    row = session.exec(
        _visible(
            select(Deliverable, DeliverableCategory, Project)
            .outerjoin(DeliverableCategory, DeliverableCategory.id == Deliverable.category_id)
            .outerjoin(Project, Project.id == Deliverable.project_id),
            actor,
        ).where(Deliverable.id == _int(deliverable_id), Deliverable.company_id == company_id)
    ).first()
    if row is None:
        raise NotFound()
    d, category, project = row
    versions_stmt = select(DeliverableVersion).where(DeliverableVersion.deliverable_id == d.id)
    if not actor.is_staff:
        versions_stmt = versions_stmt.where(DeliverableVersion.number <= (d.visible_version or 0))
    versions = list(
        session.exec(versions_stmt.order_by(DeliverableVersion.number.desc())).all()  # type: ignore[attr-defined]
    )
    receipts = list(
        session.exec(
            select(ApprovalReceipt)
            .where(ApprovalReceipt.deliverable_id == d.id)
            .order_by(ApprovalReceipt.approved_at.desc())  # type: ignore[attr-defined]
        ).all()
    )
    history_stmt = (
        scoped(select(ActivityLog), actor, ActivityLog)
        .where(
            ActivityLog.object_type.in_(("deliverable", INTERNAL_DELIVERABLE_ACTIVITY)),  # type: ignore[attr-defined]
            ActivityLog.object_id == d.id,
        )
        .order_by(ActivityLog.created_at.desc(), ActivityLog.id.desc())  # type: ignore[attr-defined]
        .limit(50)
    )
    history = list(session.exec(history_stmt).all())
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
        {u.id: u for u in session.exec(select(User).where(User.id.in_(sorted(user_ids)))).all()}  # type: ignore[union-attr]
        if user_ids
        else {}
    )
    return DeliverableDetail(d, category, project, versions, receipts, history, people)  # type: ignore[arg-type]


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise NotFound() from None


def deliverable_for_company(
    session: Session, *, actor: Actor, deliverable_id: int, company_id: int
) -> Deliverable:
    """Load a visible deliverable that belongs to this portal's company."""
    d = get_for_actor(session, Deliverable, deliverable_id, actor)
    if d.company_id != company_id or (not actor.is_staff and d.visible_version is None):
        raise NotFound()
    return d


def company_projects(session: Session, *, actor: Actor, company_id: int) -> list[Project]:
    """Projects a deliverable of this company may belong to (the create form)."""
    return list(
        session.exec(
            scoped(select(Project), actor, Project)
            .where(Project.company_id == company_id)
            .order_by(Project.name)
            .limit(200)
        ).all()
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
    """Rows for the JSON API (reference 003's list), newest first, with a total count."""
    base = _visible(select(Deliverable.id), actor)
    if company_id is not None:
        base = base.where(Deliverable.company_id == company_id)
    if deliverable_id is not None:
        base = base.where(Deliverable.id == deliverable_id)
    if status in STATUSES:
        base = base.where(Deliverable.status == status)
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    rows = session.exec(
        select(Deliverable, DeliverableVersion, DeliverableCategory.slug, Portal.slug)
        .outerjoin(DeliverableVersion, _shown_version(actor))
        .outerjoin(DeliverableCategory, DeliverableCategory.id == Deliverable.category_id)
        .join(Portal, Portal.company_id == Deliverable.company_id)
        .where(Deliverable.id.in_(base))  # type: ignore[union-attr]
        .order_by(Deliverable.created_at.desc(), Deliverable.id.desc())  # type: ignore[attr-defined]
        .limit(limit)
        .offset(offset)
    ).all()
    return [ApiRow(d, v, c or "", p) for d, v, c, p in rows], int(total)
