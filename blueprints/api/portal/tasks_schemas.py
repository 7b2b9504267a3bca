"""Reference 000 shapes for tasks, requests and the dashboard (camelCase keys, string ids)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

from blueprints.api.portal.notes_schemas import AnnouncementOut
from portal.models import Task
from portal.models.billing import plain_amount
from portal.models.task import RequestCreate, TaskPriorityValue, TaskStatusValue
from portal.web.args import MAX_ID, parse_int
from services.billing.queries import CurrencySummary
from services.tasks.views import TaskCard


def sid(value: int | None) -> str | None:
    return None if value is None else str(value)


class WorkerAssignee(BaseModel):
    id: str
    name: str


class WorkerTask(BaseModel):
    id: str
    projectId: str
    title: str
    description: str
    status: TaskStatusValue
    priority: TaskPriorityValue
    type: str
    dueDate: date | None
    isMilestone: bool
    isRequest: bool
    assignees: list[WorkerAssignee]
    completedAt: datetime | None
    createdAt: datetime
    updatedAt: datetime


class WorkerTasksOut(BaseModel):
    tasks: list[WorkerTask]
    limit: int
    offset: int
    total: int = Field(description="The project's tasks in all (``tasks`` is one page of them).")


def worker_task(card: TaskCard) -> dict[str, Any]:
    t = card.task
    return WorkerTask(
        id=str(t.id),
        projectId=str(t.project_id),
        title=t.title,
        description=t.description,
        status=t.status,  # type: ignore[arg-type]
        priority=t.priority,  # type: ignore[arg-type]
        type=t.type,
        dueDate=t.due_date,
        isMilestone=t.is_milestone,
        isRequest=t.is_request,
        assignees=[WorkerAssignee(id=str(u.id), name=u.display_name) for u in card.assignees],
        completedAt=t.completed_at,
        createdAt=t.created_at,
        updatedAt=t.updated_at,
    ).model_dump(mode="json")


class TaskCountOut(BaseModel):
    open: int = 0
    up_next: int = 0
    in_progress: int = 0
    complete: int = 0
    total: int = 0


class DashboardProject(BaseModel):
    id: str
    companyId: str
    name: str
    status: str
    dueDate: date | None
    progress: int = Field(description="Percent of the project's tasks that are complete.")


class CurrencyTotalsOut(BaseModel):
    currency: str = Field(description="ISO 4217 code")
    total_invoiced: str
    total_outstanding: str
    total_overdue: str


class FinancialOut(BaseModel):
    """Reference 000's three totals (sent, part-paid and paid invoices; drafts and void ones
    never count), as decimal strings in ``currency`` — the group's main currency, the one
    with the most invoices. ``byCurrency`` has every currency when there are several."""

    total_invoiced: str
    total_outstanding: str
    total_overdue: str
    currency: str | None = Field(description="Null while nothing was invoiced")
    byCurrency: list[CurrencyTotalsOut]


class DashboardActivityOut(BaseModel):
    id: str
    action: str
    objectType: str
    objectId: str | None
    objectLabel: str
    description: str
    actorName: str
    createdAt: datetime


class MilestoneOut(BaseModel):
    id: str
    projectId: str
    projectName: str
    title: str
    status: TaskStatusValue
    dueDate: date | None


class DashboardOut(BaseModel):
    projects: list[DashboardProject]
    taskCounts: dict[str, TaskCountOut]
    financial: FinancialOut
    recentActivity: list[DashboardActivityOut]
    milestones: list[MilestoneOut]
    dueTasks: list[MilestoneOut]
    announcements: list[AnnouncementOut]


def dated_out(t: Task, project_name: str) -> dict[str, Any]:
    return MilestoneOut(
        id=str(t.id),
        projectId=str(t.project_id),
        projectName=project_name,
        title=t.title,
        status=t.status,  # type: ignore[arg-type]
        dueDate=t.due_date,
    ).model_dump(mode="json")


def _string_id(value: Any) -> Any:
    """Reference 000 ids are strings of digits; blank is none; beyond a 32-bit id is refused."""
    if value is None or (isinstance(value, str) and not value):
        return None
    number = parse_int(value) if isinstance(value, str) else None
    if number is None:
        raise ValueError(f"Use the id's digits (ids go up to {MAX_ID}).")
    return number


WorkerId = Annotated[
    int | None,
    BeforeValidator(_string_id),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "maxLength": 12, "pattern": "^[0-9]*$"}, {"type": "null"}]}
    ),
]


class RequestIn(RequestCreate):
    """A client request in reference 000's words: the same rules, ``projectId`` a string id."""

    project_id: WorkerId = Field(default=None, alias="projectId")
    portalUserId: str | None = Field(
        default=None, max_length=12, description="Informational: X-Portal-User-Id decides."
    )


class RequestOut(BaseModel):
    taskId: str
    ok: bool


def financial_out(summary: list[CurrencySummary]) -> dict[str, Any]:
    """The financial block of the dashboard from the database's per-currency totals."""
    rows = [
        CurrencyTotalsOut(
            currency=s.currency,
            total_invoiced=plain_amount(s.invoiced, s.currency),
            total_outstanding=plain_amount(s.outstanding, s.currency),
            total_overdue=plain_amount(s.overdue, s.currency),
        )
        for s in summary
    ]
    main = rows[0] if rows else None
    zero = "0.00"
    return FinancialOut(
        total_invoiced=main.total_invoiced if main else zero,
        total_outstanding=main.total_outstanding if main else zero,
        total_overdue=main.total_overdue if main else zero,
        currency=main.currency if main else None,
        byCurrency=rows,
    ).model_dump(mode="json")
