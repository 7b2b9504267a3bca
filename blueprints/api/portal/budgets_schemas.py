"""Reference 000 shapes for budgets (camelCase keys, string ids, amounts as decimal strings)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from blueprints.api.schemas import MAX_ID, ApiModel, PageQuery
from portal.models.billing import from_minor, plain_amount, plain_decimal
from portal.models.budget import Budget, BudgetLine

ClientBudgetStatus = Literal["pending_approval", "approved", "declined"]


class WorkerBudgetOut(BaseModel):
    id: str
    companyId: str
    companyName: str
    projectId: str | None
    projectName: str | None
    title: str
    description: str
    currency: str = Field(description="ISO 4217 code; amounts have its minor-unit digits")
    status: ClientBudgetStatus
    total: str
    declineReason: str
    submittedAt: datetime | None
    decidedAt: datetime | None
    decidedBy: str
    createdAt: datetime


class WorkerBudgetLineOut(BaseModel):
    id: str
    budgetId: str
    description: str
    quantity: str
    unitPrice: str
    amount: str


class WorkerBudgetsOut(BaseModel):
    budgets: list[WorkerBudgetOut]
    limit: int
    offset: int
    total: int


class WorkerBudgetDetailOut(BaseModel):
    budget: WorkerBudgetOut
    lineItems: list[WorkerBudgetLineOut]


class WorkerOkOut(BaseModel):
    ok: bool


class WorkerBudgetsQuery(PageQuery):
    status: ClientBudgetStatus | None = None


class WorkerBudgetPath(ApiModel):
    budget_id: int = Field(ge=1, le=MAX_ID)


def _sid(value: int | None) -> str | None:
    return None if value is None else str(value)


def worker_budget(b: Budget, company_name: str, project_name: str | None) -> dict[str, Any]:
    return WorkerBudgetOut(
        id=str(b.id),
        companyId=str(b.company_id),
        companyName=company_name,
        projectId=_sid(b.project_id),
        projectName=project_name,
        title=b.title,
        description=b.description,
        currency=b.currency,
        status=b.status,
        total=plain_amount(b.total, b.currency),
        declineReason=b.decline_reason,
        submittedAt=b.submitted_at,
        decidedAt=b.decided_at,
        decidedBy=b.decided_by_name,
        createdAt=b.created_at,
    ).model_dump(mode="json")


def worker_budget_line(line: BudgetLine, currency: str) -> dict[str, Any]:
    return WorkerBudgetLineOut(
        id=str(line.id),
        budgetId=str(line.budget_id),
        description=line.description,
        quantity=plain_decimal(line.quantity),
        unitPrice=plain_decimal(line.unit_price),
        amount=plain_amount(from_minor(line.amount_minor, currency), currency),
    ).model_dump(mode="json")
