"""Tasks over JSON for integrations (reference 003, integer ids): a portal's task lists and
tasks, and writes to them. Bodies are the task input family (``portal.models.task``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Response, make_response
from pydantic import BaseModel, Field
from sqlmodel import Session

from blueprints.api import api_blueprint, path_object
from blueprints.api.auth import require_scope
from blueprints.api.schemas import MAX_ID, ApiModel, PageQuery, page_of
from portal.db import get_session
from portal.models import Task
from portal.models.task import TaskCreate, TaskPriorityValue, TaskStatusValue, TaskUpdate
from portal.tenancy import Actor
from services import tasks as task_service
from services.tasks.views import (
    MAX_TASKS_PER_LIST,
    TASKS_PER_LIST,
    TaskCard,
    portal_task_lists,
)

bp = api_blueprint(
    "api_tasks",
    __name__,
    url_prefix="/api/v1",
    tag="Tasks",
    description="A portal's task lists and tasks (reference 003), and writes to them.",
)


class TaskOut(BaseModel):
    """Reference 003's task, plus Stoa's project, list, priority and flags."""

    id: int
    project_id: int
    list_id: int | None
    title: str
    description: str
    status: TaskStatusValue
    priority: TaskPriorityValue
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
    tasks: list[TaskOut] = Field(
        description="One page of the list's tasks in board order: tasks_limit (default 100) "
        "from tasks_offset"
    )
    tasks_total: int = Field(description="The list's tasks in all")


class TaskListPage(BaseModel):
    items: list[TaskListOut]
    limit: int
    offset: int
    total: int


def task_out(t: Task, assignee_ids: list[int]) -> dict[str, Any]:
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


def _card_out(c: TaskCard) -> dict[str, Any]:
    return task_out(c.task, [u.id for u in c.assignees if u.id is not None])


def _saved_out(t: Task) -> dict[str, Any]:
    return task_out(t, task_service.assignee_ids(get_session(), t))


class PortalTasksQuery(PageQuery):
    """``limit``/``offset`` page the lists; ``tasks_limit``/``tasks_offset`` each list's tasks."""

    tasks_limit: int = Field(
        default=TASKS_PER_LIST,
        description=f"Tasks per list: default {TASKS_PER_LIST}, values outside "
        f"1..{MAX_TASKS_PER_LIST} are clamped; tasks_total says how many a list has.",
    )
    tasks_offset: int = Field(default=0, ge=0, le=MAX_ID)


class PortalTasksPath(ApiModel):
    portal_id: int = Field(ge=1, le=MAX_ID)


class TaskPath(ApiModel):
    task_id: int = Field(ge=1, le=MAX_ID)


@path_object("task_id")
def _load_task(session: Session, actor: Actor, task_id: int) -> Task:
    return task_service.get_task(session, actor=actor, task_id=task_id)


@bp.get("/portals/<int:portal_id>/tasks", summary="A portal's tasks", responses={200: TaskListPage})
def portal_tasks(path: PortalTasksPath, query: PortalTasksQuery) -> dict[str, Any]:
    """The portal's task lists with their tasks (assignee user ids), paged by list; each
    list carries its first ``tasks_limit`` tasks (100 by default) and ``tasks_total``."""
    actor = require_scope("tasks:read")
    lists, total = portal_task_lists(
        get_session(),
        actor=actor,
        portal_id=path.portal_id,
        limit=query.clamped_limit,
        offset=query.offset,
        tasks_limit=query.tasks_limit,
        tasks_offset=query.tasks_offset,
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
                    "tasks_total": item.total,
                }
            ).model_dump(mode="json")
        )
    return page_of(items, total, query)


@bp.post("/portals/<int:portal_id>/tasks", summary="Create a task", responses={201: TaskOut})
def create_portal_task(path: PortalTasksPath, body: TaskCreate) -> tuple[dict[str, Any], int]:
    """Add a task to one of the portal's projects (on the list named ``list``)."""
    actor = require_scope("tasks:write")
    task = task_service.create_portal_task(
        get_session(), actor=actor, portal_id=path.portal_id, data=body
    )
    return _saved_out(task), 201


@bp.patch("/tasks/<int:task_id>", summary="Update a task", responses={200: TaskOut})
def update_task(path: TaskPath, body: TaskUpdate) -> dict[str, Any]:
    """Change a task; only the fields sent change (``due_date: null`` clears the date)."""
    actor = require_scope("tasks:write")
    task = task_service.update_task(get_session(), actor=actor, task_id=path.task_id, data=body)
    return _saved_out(task)


@bp.delete("/tasks/<int:task_id>", summary="Delete a task", responses={204: None})
def delete_task(path: TaskPath) -> Response:
    """Delete a task (staff, agency keys and company admins)."""
    actor = require_scope("tasks:write")
    task_service.delete_task(get_session(), actor=actor, task_id=path.task_id)
    return make_response("", 204)
