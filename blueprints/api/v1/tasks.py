"""Tasks over JSON: the portal worker's dashboard, project tasks and client requests (reference
000, camelCase, string ids) and the integrations' portal tasks (reference 003, integer ids)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from flask import Response, make_response
from pydantic import BaseModel, BeforeValidator, Field, StrictBool, StrictInt

from blueprints.api import WORKER_SECURITY, api_blueprint, path_object
from blueprints.api.auth import require_client, require_scope
from blueprints.api.portal.notes_schemas import AnnouncementOut, announcement_out
from blueprints.api.schemas import MAX_ID, ApiModel, IdString, PageQuery, page_of
from portal.db import get_session
from portal.models import Project, Task
from services import tasks as task_service
from services.dashboard import dashboard_data
from services.portals import admin as portal_admin
from services.tasks import requests as requests_service
from services.tasks.views import TaskCard, company_task_lists, project_tasks

worker_bp = api_blueprint(
    "api_worker_tasks",
    __name__,
    url_prefix="/api/portal",
    tag="Portal worker",
    security=WORKER_SECURITY,
)
bp = api_blueprint(
    "api_tasks",
    __name__,
    url_prefix="/api/v1",
    tag="Tasks",
    description="A portal's task lists and tasks (reference 003), and writes to them.",
)

StatusValue = Literal["open", "up_next", "in_progress", "complete"]
UserId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


def _iso_date_only(value: object) -> object:
    """Dates travel as ``YYYY-MM-DD`` strings (no timestamps or numbers)."""
    if value is None or isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("Use a date like 2026-12-31.")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
PriorityValue = Literal["low", "medium", "high", "urgent"]


def _sid(value: int | None) -> str | None:
    return None if value is None else str(value)


# Portal worker (reference 000) -------------------------------------------------------------


class WorkerAssignee(BaseModel):
    id: str
    name: str


class WorkerTask(BaseModel):
    id: str
    projectId: str
    title: str
    description: str
    status: StatusValue
    priority: PriorityValue
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


def worker_task(card: TaskCard) -> dict:
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


class FinancialOut(BaseModel):
    total_invoiced: str
    total_outstanding: str
    total_overdue: str


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
    status: StatusValue
    dueDate: date | None


class DashboardOut(BaseModel):
    projects: list[DashboardProject]
    taskCounts: dict[str, TaskCountOut]
    financial: FinancialOut
    recentActivity: list[DashboardActivityOut]
    milestones: list[MilestoneOut]
    dueTasks: list[MilestoneOut]
    announcements: list[AnnouncementOut]


@worker_bp.get("/dashboard", summary="Dashboard overview", responses={200: DashboardOut})
def worker_dashboard():
    """Active projects with task progress, recent activity, milestones and tasks due soon.
    Group-aware. (The financial summary is zero until invoices exist.)"""
    actor = require_client()
    view = dashboard_data(get_session(), actor=actor)
    zero = "0.00"
    return {
        "projects": [
            DashboardProject(
                id=str(p.id),
                companyId=str(p.company_id),
                name=p.name,
                status=p.status,
                dueDate=p.due_date,
                progress=view.progress[p.id].percent if p.id in view.progress else 0,
            ).model_dump(mode="json")
            for p, _ in view.projects
        ],
        "taskCounts": {
            str(pid): {**pr.counts, "total": pr.total} for pid, pr in view.progress.items()
        },
        "financial": {"total_invoiced": zero, "total_outstanding": zero, "total_overdue": zero},
        "recentActivity": [
            DashboardActivityOut(
                id=str(a.id),
                action=a.action,
                objectType=a.object_type,
                objectId=_sid(a.object_id),
                objectLabel=a.object_label,
                description=a.description,
                actorName=a.actor_label,
                createdAt=a.created_at,
            ).model_dump(mode="json")
            for a in view.activity
        ],
        "milestones": [_dated(t, name) for t, name in view.milestones],
        "dueTasks": [_dated(t, name) for t, name in view.due_soon],
        "announcements": [announcement_out(a) for a in view.announcements],
    }


def _dated(t: Task, project_name: str) -> dict:
    return MilestoneOut(
        id=str(t.id),
        projectId=str(t.project_id),
        projectName=project_name,
        title=t.title,
        status=t.status,  # type: ignore[arg-type]
        dueDate=t.due_date,
    ).model_dump(mode="json")


class WorkerProjectPath(ApiModel):
    project_id: int = Field(ge=1, le=MAX_ID)


@worker_bp.get(
    "/projects/<int:project_id>/tasks", summary="A project's tasks", responses={200: WorkerTasksOut}
)
def worker_project_tasks(path: WorkerProjectPath):
    """The project's non-private tasks with status, priority, type and assignees."""
    actor = require_client()
    cards = project_tasks(get_session(), actor=actor, project_id=path.project_id)
    return {"tasks": [worker_task(c) for c in cards]}


class RequestIn(ApiModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=10000)
    priority: PriorityValue = "medium"
    projectId: IdString | None = Field(default=None, max_length=12, pattern=r"^[0-9]*$")
    portalUserId: str | None = Field(
        default=None, max_length=12, description="Informational: X-Portal-User-Id decides."
    )


class RequestOut(BaseModel):
    taskId: str
    ok: bool


@worker_bp.post("/requests", summary="Create a client request", responses={201: RequestOut})
def worker_create_request(body: RequestIn):
    """A collaborator or admin files a request: it becomes a task with an SLA due date from its
    priority, and the portal's project managers are notified."""
    actor = require_client()
    task = requests_service.create_request(
        get_session(),
        actor=actor,
        company_id=actor.company_id,  # type: ignore[arg-type]
        company_ids=actor.company_ids or [],
        title=body.title,
        description=body.description,
        priority=body.priority,
        project_id=int(body.projectId) if body.projectId else None,
    )
    return {"taskId": str(task.id), "ok": True}, 201


# Portal tasks (reference 003) ------------------------------------------------------------


class TaskOut(BaseModel):
    """Reference 003's task, plus Stoa's project, list, priority and flags."""

    id: int
    project_id: int
    list_id: int | None
    title: str
    description: str
    status: StatusValue
    priority: PriorityValue
    type: str
    due_date: date | None
    assignee_ids: list[int]
    sort_order: int
    is_private: bool
    is_milestone: bool
    is_request: bool
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TaskListOut(BaseModel):
    id: int | None = Field(description="null for the tasks that are on no list")
    project_id: int | None
    name: str
    sort_order: int
    created_at: datetime | None
    tasks: list[TaskOut]


class TaskListPage(BaseModel):
    items: list[TaskListOut]
    limit: int
    offset: int
    total: int


def task_out(t: Task, assignee_ids: list[int]) -> dict:
    return TaskOut(
        id=t.id,  # type: ignore[arg-type]
        project_id=t.project_id,
        list_id=t.list_id,
        title=t.title,
        description=t.description,
        status=t.status,  # type: ignore[arg-type]
        priority=t.priority,  # type: ignore[arg-type]
        type=t.type,
        due_date=t.due_date,
        assignee_ids=sorted(assignee_ids),
        sort_order=t.sort_order,
        is_private=t.is_private,
        is_milestone=t.is_milestone,
        is_request=t.is_request,
        completed_at=t.completed_at,
        created_at=t.created_at,
        updated_at=t.updated_at,
    ).model_dump(mode="json")


def _card_out(c: TaskCard) -> dict:
    return task_out(c.task, [u.id for u in c.assignees])  # type: ignore[misc]


def _saved_out(t: Task) -> dict:
    return task_out(t, task_service.assignee_ids(get_session(), t))


class PortalTasksPath(ApiModel):
    portal_id: int = Field(ge=1, le=MAX_ID)


class TaskPath(ApiModel):
    task_id: int = Field(ge=1, le=MAX_ID)


@path_object("task_id")
def _load_task(session, actor, task_id: int):  # noqa: ANN001, ANN202
    return task_service.get_task(session, actor=actor, task_id=task_id)


@bp.get("/portals/<int:portal_id>/tasks", summary="A portal's tasks", responses={200: TaskListPage})
def portal_tasks(path: PortalTasksPath, query: PageQuery):
    """The portal's task lists with their tasks (assignee user ids), paged by list."""
    actor = require_scope("tasks:read")
    session = get_session()
    portal = portal_admin.get_portal(session, actor=actor, portal_id=path.portal_id)
    lists, total = company_task_lists(
        session,
        actor=actor,
        company_id=portal.company_id,
        limit=query.clamped_limit,
        offset=query.offset,
    )
    items = []
    for item in lists:
        tl = item.task_list
        items.append(
            TaskListOut.model_validate(
                {
                    "id": tl.id if tl else None,
                    "project_id": tl.project_id if tl else None,
                    "name": tl.name if tl else "Other tasks",
                    "sort_order": tl.sort_order if tl else 10_000,
                    "created_at": tl.created_at if tl else None,
                    "tasks": [_card_out(c) for c in item.cards],
                }
            ).model_dump(mode="json")
        )
    return page_of(items, total, query)


class TaskCreateIn(ApiModel):
    title: str = Field(min_length=1, max_length=300)
    list_name: str | None = Field(
        default=None,
        alias="list",
        max_length=200,
        description="Task list name; created when missing.",
    )
    status: StatusValue = "open"
    due_date: IsoDate | None = None
    assignee_ids: list[UserId] = Field(default_factory=list, max_length=50)
    description: str = Field(default="", max_length=10000)
    priority: PriorityValue = "medium"
    project_id: StrictInt | None = Field(
        default=None, ge=1, le=MAX_ID, description="Default: the portal's latest active project."
    )


@bp.post("/portals/<int:portal_id>/tasks", summary="Create a task", responses={201: TaskOut})
def create_portal_task(path: PortalTasksPath, body: TaskCreateIn):
    """Add a task to one of the portal's projects (on the list named ``list``)."""
    actor = require_scope("tasks:write")
    session = get_session()
    portal = portal_admin.get_portal(session, actor=actor, portal_id=path.portal_id)
    if body.project_id is not None:
        project = task_service.get_project(
            session, actor=actor, project_id=body.project_id, company_ids=[portal.company_id]
        )
    else:
        project = task_service.default_project(session, actor=actor, company_id=portal.company_id)
    list_id = (
        task_service.list_id_by_name(session, project=project, name=body.list_name)
        if body.list_name and body.list_name.strip()
        else None
    )
    task = task_service.create_task(
        session,
        actor=actor,
        project_id=project.id,
        title=body.title,
        description=body.description,
        status=body.status,
        priority=body.priority,
        due_date=body.due_date,
        list_id=list_id,
        assignee_ids=body.assignee_ids,
    )
    return _saved_out(task), 201


class TaskUpdateIn(ApiModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=10000)
    status: StatusValue | None = None
    priority: PriorityValue | None = None
    due_date: IsoDate | None = None
    list_name: str | None = Field(default=None, alias="list", max_length=200)
    assignee_ids: list[UserId] | None = Field(default=None, max_length=50)
    is_milestone: StrictBool | None = None
    is_private: StrictBool | None = None


@bp.patch("/tasks/<int:task_id>", summary="Update a task", responses={200: TaskOut})
def update_task(path: TaskPath, body: TaskUpdateIn):
    """Change a task; only the fields sent change (``due_date: null`` clears the date)."""
    actor = require_scope("tasks:write")
    session = get_session()
    sent = body.model_fields_set
    changes = {k: getattr(body, k) for k in sent if k != "list_name"}
    for key in ("title", "status", "priority", "is_milestone", "is_private", "assignee_ids"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    if "list_name" in sent:
        task = task_service.get_task(session, actor=actor, task_id=path.task_id)
        project = session.get(Project, task.project_id)
        changes["list_id"] = (
            task_service.list_id_by_name(session, project=project, name=body.list_name)  # type: ignore[arg-type]
            if body.list_name and body.list_name.strip()
            else None
        )
    task = task_service.update_task(session, actor=actor, task_id=path.task_id, changes=changes)
    return _saved_out(task)


@bp.delete("/tasks/<int:task_id>", summary="Delete a task", responses={204: None})
def delete_task(path: TaskPath) -> Response:
    """Delete a task (staff, agency keys and company admins)."""
    actor = require_scope("tasks:write")
    task_service.delete_task(get_session(), actor=actor, task_id=path.task_id)
    return make_response("", 204)
