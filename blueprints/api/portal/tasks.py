"""/api/portal: the dashboard, a project's tasks and client requests (reference 000)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from blueprints.api import WORKER_SECURITY, api_blueprint
from blueprints.api.auth import require_client
from blueprints.api.portal.notes_schemas import announcement_out
from blueprints.api.portal.tasks_schemas import (
    DashboardActivityOut,
    DashboardOut,
    DashboardProject,
    RequestIn,
    RequestOut,
    WorkerTasksOut,
    dated_out,
    financial_out,
    sid,
    worker_task,
)
from blueprints.api.schemas import MAX_ID, ApiModel
from portal.db import get_session
from services.dashboard import dashboard_data
from services.tasks import requests as requests_service
from services.tasks.views import MAX_TASKS_PER_LIST, TASKS_PER_LIST, project_tasks

worker_bp = api_blueprint(
    "api_worker_tasks",
    __name__,
    url_prefix="/api/portal",
    tag="Portal worker",
    security=WORKER_SECURITY,
)


@worker_bp.get("/dashboard", summary="Dashboard overview", responses={200: DashboardOut})
def worker_dashboard() -> dict[str, Any]:
    """Active projects with task progress, recent activity, milestones and tasks due soon.
    Group-aware, the financial summary included."""
    actor = require_client()
    view = dashboard_data(get_session(), actor=actor)
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
        "financial": financial_out(view.financial),
        "recentActivity": [
            DashboardActivityOut(
                id=str(a.id),
                action=a.action,
                objectType=a.object_type,
                objectId=sid(a.object_id),
                objectLabel=a.object_label,
                description=a.description,
                actorName=a.actor_label,
                createdAt=a.created_at,
            ).model_dump(mode="json")
            for a in view.activity
        ],
        "milestones": [dated_out(t, name) for t, name in view.milestones],
        "dueTasks": [dated_out(t, name) for t, name in view.due_soon],
        "announcements": [announcement_out(a) for a in view.announcements],
    }


class WorkerProjectPath(ApiModel):
    project_id: int = Field(ge=1, le=MAX_ID)


class WorkerTasksQuery(ApiModel):
    """A page of a project's tasks: ``limit`` (default 100, clamped to 1..500), ``offset``."""

    limit: int = Field(
        default=TASKS_PER_LIST,
        description="Tasks per page: default 100, values outside 1..500 are clamped.",
    )
    offset: int = Field(default=0, ge=0, le=MAX_ID)

    @property
    def clamped_limit(self) -> int:
        return min(max(self.limit, 1), MAX_TASKS_PER_LIST)


@worker_bp.get(
    "/projects/<int:project_id>/tasks", summary="A project's tasks", responses={200: WorkerTasksOut}
)
def worker_project_tasks(path: WorkerProjectPath, query: WorkerTasksQuery) -> dict[str, Any]:
    """The project's non-private tasks with status, priority, type and assignees, one page at a
    time in board order (``limit``, default 100, 1..500; ``offset``; ``total``)."""
    actor = require_client()
    limit = query.clamped_limit
    cards, total = project_tasks(
        get_session(), actor=actor, project_id=path.project_id, limit=limit, offset=query.offset
    )
    return {
        "tasks": [worker_task(c) for c in cards],
        "limit": limit,
        "offset": query.offset,
        "total": total,
    }


@worker_bp.post("/requests", summary="Create a client request", responses={201: RequestOut})
def worker_create_request(body: RequestIn) -> tuple[dict[str, Any], int]:
    """A collaborator or admin files a request: it becomes a task with an SLA due date from its
    priority, and the portal's project managers are notified."""
    actor = require_client()
    task = requests_service.create_request(
        get_session(), actor=actor, company_id=actor.company_id, data=body
    )
    return {"taskId": str(task.id), "ok": True}, 201
