"""/api/portal: the client's budgets (reference 000). Group-aware; drafts do not exist here."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from blueprints.api import WORKER_SECURITY, api_blueprint, path_object
from blueprints.api.auth import require_client
from blueprints.api.portal.budgets_schemas import (
    WorkerBudgetDetailOut,
    WorkerBudgetPath,
    WorkerBudgetsOut,
    WorkerBudgetsQuery,
    WorkerOkOut,
    worker_budget,
    worker_budget_line,
)
from portal.db import get_session
from portal.models.budget import Budget
from portal.tenancy import Actor
from services.billing import budgets as service
from services.billing.budget_queries import api_budgets, budget_detail

bp = api_blueprint(
    "api_worker_budgets",
    __name__,
    url_prefix="/api/portal",
    tag="Portal worker: budgets",
    description="The client's budgets with their line items; approving one (reference 000).",
    security=WORKER_SECURITY,
)


@path_object("budget_id")
def _load_budget(session: Session, actor: Actor, budget_id: int) -> Budget:
    return service.get_budget(session, actor=actor, budget_id=budget_id)


@bp.get("/budgets", summary="List budgets", responses={200: WorkerBudgetsOut})
def worker_budgets(query: WorkerBudgetsQuery) -> dict[str, Any]:
    """The group's budgets, newest first, optionally by status. Group-aware."""
    rows, total = api_budgets(
        get_session(),
        actor=require_client(),
        status=query.status,
        limit=query.clamped_limit,
        offset=query.offset,
    )
    return {
        "budgets": [worker_budget(r.budget, r.company_name, r.project_name) for r in rows],
        "limit": query.clamped_limit,
        "offset": query.offset,
        "total": total,
    }


@bp.get("/budgets/<int:budget_id>", summary="Get a budget", responses={200: WorkerBudgetDetailOut})
def worker_budget_detail(path: WorkerBudgetPath) -> dict[str, Any]:
    """One budget with its line items."""
    detail = budget_detail(get_session(), actor=require_client(), budget_id=path.budget_id)
    b = detail.budget
    return {
        "budget": worker_budget(
            b, detail.company.name, detail.project.name if detail.project else None
        ),
        "lineItems": [worker_budget_line(line, b.currency) for line in detail.lines],
    }


@bp.post(
    "/budgets/<int:budget_id>/approve", summary="Approve a budget", responses={200: WorkerOkOut}
)
def worker_approve_budget(path: WorkerBudgetPath) -> dict[str, Any]:
    """pending_approval -> approved. Role required: collaborator or admin (403 otherwise); a
    budget not pending approval is a 409. Logged in history; the managers are notified."""
    service.approve_budget(get_session(), actor=require_client(), budget_id=path.budget_id)
    return {"ok": True}
