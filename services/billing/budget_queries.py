"""Read side of budgets: the Budgets list, a budget's detail and the API's rows, each in a
fixed number of queries. Drafts are staff-only through ``Budget.__staff_only__``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from portal.errors import NotFound
from portal.models import ActivityLog, Company, Portal, Project
from portal.models.activity import INTERNAL_BUDGET_ACTIVITY
from portal.models.billing import from_minor, plain_decimal
from portal.models.budget import BUDGET_STATUSES, Budget, BudgetLine, BudgetStatus
from portal.models.user import ClientRole
from portal.tenancy import Actor, role_at_least, scoped, staff_can
from portal.web.pagination import Page, count, paginate
from services import notes
from services.billing.documents import document_with_names, visible_lines
from services.events import activity
from services.notes import Thread
from services.projects import company_projects

PAGE_SIZE = 20


@dataclass(frozen=True)
class BudgetRow:
    budget: Budget
    company_name: str
    project_name: str | None
    portal_slug: str | None = None


def _rows_query(actor: Actor, status: str = "") -> Any:
    base = scoped(select(Budget), actor, Budget)
    if status in BUDGET_STATUSES:
        base = base.where(Budget.status == status)
    return base


def _with_names(base: Any) -> Any:
    return (
        base.add_columns(col(Company.name), col(Project.name))
        .join(Company, col(Company.id) == Budget.company_id)
        .outerjoin(Project, col(Project.id) == Budget.project_id)
        .order_by(col(Budget.created_at).desc(), col(Budget.id).desc())
    )


@dataclass(frozen=True)
class BudgetsPage:
    page: Page[BudgetRow]
    status: str
    group: bool
    can_prepare: bool
    pending: int

    @property
    def rows(self) -> list[BudgetRow]:
        return list(self.page.items)


def budgets_page(
    session: Session, *, actor: Actor, can_write: bool, status: str = "", page: int = 1
) -> BudgetsPage:
    """A portal's Budgets (``actor`` narrowed to the portal's group), newest first."""
    status = status if status in BUDGET_STATUSES else ""
    base = _rows_query(actor, status)
    rows = paginate(
        session,
        _with_names(base),
        page=page,
        per_page=PAGE_SIZE,
        scalars=False,
    )
    pending = count(
        session,
        scoped(select(Budget), actor, Budget).where(
            Budget.status == BudgetStatus.pending_approval.value
        ),
    )
    return BudgetsPage(
        page=rows.map(lambda r: BudgetRow(*r)),
        status=status,
        group=len(actor.company_ids or ()) > 1,
        can_prepare=can_write and staff_can(actor, "budget.write"),
        pending=pending,
    )


@dataclass(frozen=True)
class BudgetDetail:
    budget: Budget
    company: Company
    project: Project | None
    lines: list[BudgetLine]
    threads: list[Thread]
    history: list[ActivityLog]
    can_prepare: bool = False
    can_decide: bool = False
    projects: list[Project] = field(default_factory=list)

    def line_amount(self, line: BudgetLine) -> Decimal:
        return from_minor(line.amount_minor, self.budget.currency)

    @property
    def is_draft(self) -> bool:
        return self.budget.status == BudgetStatus.draft

    @property
    def editor_lines(self) -> list[dict[str, str]]:
        return [
            {
                "description": line.description,
                "quantity": line.quantity_text,
                "unit_price": plain_decimal(line.unit_price),
            }
            for line in self.lines
        ]


def budget_lines(session: Session, *, actor: Actor, budget_id: int) -> list[BudgetLine]:
    return visible_lines(session, actor=actor, owner=BudgetLine.budget_id, owner_id=budget_id)


def budget_detail(
    session: Session, *, actor: Actor, budget_id: int, can_write: bool = False
) -> BudgetDetail:
    """Everything the detail page shows; a client asking for a draft gets 404."""
    budget: Budget
    budget, company, project = document_with_names(
        session, actor=actor, model=Budget, document_id=budget_id
    )
    assert budget.id is not None
    history = activity.object_history(
        session, actor=actor, object_types=("budget", INTERNAL_BUDGET_ACTIVITY), object_id=budget.id
    )
    can_prepare = can_write and staff_can(actor, "budget.write")
    projects = (
        company_projects(session, actor=actor, company_id=budget.company_id)
        if can_prepare and budget.status == BudgetStatus.draft
        else []
    )
    return BudgetDetail(
        budget=budget,
        company=company,
        project=project,
        lines=budget_lines(session, actor=actor, budget_id=budget.id),
        threads=notes.resource_threads(
            session, actor=actor, resource_type="budget", resource_id=budget.id
        ),
        history=history,
        can_prepare=can_prepare,
        can_decide=(
            not actor.is_staff
            and budget.status == BudgetStatus.pending_approval
            and role_at_least(actor, ClientRole.collaborator)
        ),
        projects=projects,
    )


def api_budgets(
    session: Session,
    *,
    actor: Actor,
    company_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[BudgetRow], int]:
    """Rows for the JSON APIs, newest first, with the total count."""
    who = actor if company_id is None else actor.narrowed([company_id])
    base = _rows_query(who, status or "")
    rows = session.execute(_with_names(base).limit(limit).offset(offset)).all()
    return [BudgetRow(*r) for r in rows], count(session, base)


@dataclass(frozen=True)
class StaffBudgetsView:
    """The staff area's budgets across every portal the staff member sees."""

    page: Page[BudgetRow]
    counts: dict[str, int]  # per status, before the status filter
    status: str
    q: str

    @property
    def rows(self) -> list[BudgetRow]:
        return list(self.page.items)


def staff_budgets(
    session: Session, *, actor: Actor, status: str = "", q: str = "", page: int = 1
) -> StaffBudgetsView:
    """Budgets of all the companies a staff member sees (drafts too), searched by title or
    company, filtered by status, newest first: four queries whatever the number of rows."""
    if not actor.is_staff:
        raise NotFound()
    status = status if status in BUDGET_STATUSES else ""
    q = q.strip()[:100]
    base = scoped(select(Budget), actor, Budget).join(Company, col(Company.id) == Budget.company_id)
    if q:
        like = f"%{q.lower()}%"
        base = base.where(
            or_(func.lower(Budget.title).like(like), func.lower(Company.name).like(like))
        )
    sub = base.subquery()
    counts = {
        s: int(n)
        for s, n in session.exec(select(sub.c.status, func.count()).group_by(sub.c.status)).all()
    }
    if status:
        base = base.where(Budget.status == status)
    rows = paginate(
        session,
        base.add_columns(col(Company.name), col(Project.name), col(Portal.slug))
        .outerjoin(Project, col(Project.id) == Budget.project_id)
        .outerjoin(Portal, col(Portal.company_id) == Budget.company_id)
        .order_by(col(Budget.created_at).desc(), col(Budget.id).desc()),
        page=page,
        per_page=PAGE_SIZE,
        scalars=False,
        total=counts.get(status, 0) if status else sum(counts.values()),
    )
    return StaffBudgetsView(rows.map(lambda r: BudgetRow(*r)), counts, status, q)
