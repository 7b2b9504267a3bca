"""/api/v1 budgets: the agency prepares budgets (create, edit drafts, submit) and reads them;
a company key sees its company's submitted budgets, never a draft. Scopes invoices:read and
invoices:write."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from blueprints.api import api_blueprint
from blueprints.api.auth import require_scope, require_staff
from blueprints.api.schemas import MAX_ID, ApiModel, PageQuery, page_of
from blueprints.api.v1.portals import PortalPath
from portal.db import get_session
from portal.models.billing import from_minor, plain_amount, plain_decimal
from portal.models.budget import Budget, BudgetCreate, BudgetLine, BudgetUpdate
from portal.tenancy import Actor
from services.billing import budgets as service
from services.billing.budget_queries import api_budgets, budget_detail
from services.portals.admin import get_portal

bp = api_blueprint(
    "api_budgets",
    __name__,
    url_prefix="/api/v1",
    tag="Budgets",
    description="Budgets and their line items. Scopes invoices:read, invoices:write.",
)

StatusValue = Literal["draft", "pending_approval", "approved", "declined"]


class BudgetLineRecord(BaseModel):
    id: int
    description: str
    quantity: str
    unit_price: str
    amount: str


class BudgetRecord(BaseModel):
    id: int
    company_id: int
    project_id: int | None
    title: str
    description: str
    currency: str = Field(description="ISO 4217 code; amounts have its minor-unit digits")
    status: StatusValue
    total: str
    decline_reason: str
    submitted_at: datetime | None
    decided_at: datetime | None
    decided_by: str
    created_at: datetime


class BudgetDetailRecord(BudgetRecord):
    line_items: list[BudgetLineRecord]


class BudgetPage(BaseModel):
    items: list[BudgetRecord]
    limit: int
    offset: int
    total: int


class BudgetListQuery(PageQuery):
    status: StatusValue | None = None


class BudgetApiPath(ApiModel):
    budget_id: int = Field(ge=1, le=MAX_ID)


class BudgetCreateIn(BudgetCreate):
    """A new draft; ``lines`` may come later."""


def budget_record(b: Budget) -> dict[str, Any]:
    return BudgetRecord(
        id=b.id,
        company_id=b.company_id,
        project_id=b.project_id,
        title=b.title,
        description=b.description,
        currency=b.currency,
        status=b.status,
        total=plain_amount(b.total, b.currency),
        decline_reason=b.decline_reason,
        submitted_at=b.submitted_at,
        decided_at=b.decided_at,
        decided_by=b.decided_by_name,
        created_at=b.created_at,
    ).model_dump(mode="json")


def line_record(line: BudgetLine, currency: str) -> dict[str, Any]:
    return BudgetLineRecord(
        id=line.id,
        description=line.description,
        quantity=plain_decimal(line.quantity),
        unit_price=plain_decimal(line.unit_price),
        amount=plain_amount(from_minor(line.amount_minor, currency), currency),
    ).model_dump(mode="json")


def _one(budget_id: int, actor: Actor) -> dict[str, Any]:
    detail = budget_detail(get_session(), actor=actor, budget_id=budget_id)
    b = detail.budget
    return {
        **budget_record(b),
        "line_items": [line_record(line, b.currency) for line in detail.lines],
    }


@bp.get(
    "/portals/<int:portal_id>/budgets",
    summary="List a portal's budgets",
    responses={200: BudgetPage},
)
def list_portal_budgets(path: PortalPath, query: BudgetListQuery):
    """Newest first, optionally by status. Drafts only for the agency. Scope invoices:read."""
    actor = require_scope("invoices:read")
    session = get_session()
    portal = get_portal(session, actor=actor, portal_id=path.portal_id)
    rows, total = api_budgets(
        session,
        actor=actor,
        company_id=portal.company_id,
        status=query.status,
        limit=query.clamped_limit,
        offset=query.offset,
    )
    return page_of([budget_record(r.budget) for r in rows], total, query)


@bp.post(
    "/portals/<int:portal_id>/budgets",
    summary="Create a draft budget",
    responses={201: BudgetDetailRecord},
)
def create_portal_budget(path: PortalPath, body: BudgetCreateIn):
    """A draft budget for the portal's company. Staff and agency keys; scope invoices:write."""
    actor = require_staff("invoices:write")
    session = get_session()
    portal = get_portal(session, actor=actor, portal_id=path.portal_id)
    b = service.create_budget(session, actor=actor, company_id=portal.company_id, data=body)
    return _one(b.id, actor), 201  # type: ignore[arg-type]


@bp.get("/budgets/<int:budget_id>", summary="Get a budget", responses={200: BudgetDetailRecord})
def get_budget(path: BudgetApiPath):
    """One budget with its line items. Scope invoices:read."""
    return _one(path.budget_id, require_scope("invoices:read"))


@bp.patch(
    "/budgets/<int:budget_id>", summary="Edit a draft budget", responses={200: BudgetDetailRecord}
)
def update_budget(path: BudgetApiPath, body: BudgetUpdate):
    """Only the fields sent change; ``lines`` replaces every line. 409 once submitted. Staff;
    scope invoices:write."""
    actor = require_staff("invoices:write")
    service.update_budget(get_session(), actor=actor, budget_id=path.budget_id, data=body)
    return _one(path.budget_id, actor)


@bp.post(
    "/budgets/<int:budget_id>/submit",
    summary="Submit a budget for approval",
    responses={200: BudgetDetailRecord},
)
def submit_budget(path: BudgetApiPath):
    """draft -> pending_approval: the client sees it and its contacts are notified
    (budget_pending_approval). Staff; scope invoices:write."""
    actor = require_staff("invoices:write")
    service.submit_budget(get_session(), actor=actor, budget_id=path.budget_id)
    return _one(path.budget_id, actor)
