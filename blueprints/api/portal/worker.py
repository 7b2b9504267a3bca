"""/api/portal: the portal worker API (reference 000), camelCase keys and string ids.

Called with the service token and the X-Portal-* headers, or by a signed-in client user.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlmodel import Session

from blueprints.api import WORKER_SECURITY, api_blueprint, path_object
from blueprints.api.auth import require_client
from blueprints.api.portal.plan_schemas import (
    DecisionOut,
    GoalOut,
    SummaryOut,
    decision_out,
    goal_out,
    summary_out,
)
from blueprints.api.schemas import MAX_ID, ApiModel, PageQuery
from portal.db import get_session
from portal.models import ActivityLog, Project, User
from portal.tenancy import Actor, get_for_actor
from services import projects
from services.portals import client_overview

bp = api_blueprint(
    "api_worker",
    __name__,
    url_prefix="/api/portal",
    tag="Portal worker",
    description="What the portal worker serves a signed-in client (reference 000). "
    "Service token + X-Portal-Company-Id (required), X-Portal-User-Role, X-Portal-User-Id, "
    "X-Portal-Group-Company-Ids (can only narrow the company's real group).",
    security=WORKER_SECURITY,
)


RECENT_DECISIONS = 20


class ProjectOut(BaseModel):
    id: str
    companyId: str
    name: str
    description: str
    status: str
    leadId: str | None
    startDate: date | None
    dueDate: date | None
    createdAt: datetime


class TaskCount(BaseModel):
    open: int = 0
    up_next: int = 0
    in_progress: int = 0
    complete: int = 0
    total: int = 0


class ProjectsOut(BaseModel):
    projects: list[ProjectOut]
    taskCounts: dict[str, TaskCount] = Field(
        description="Task counts per status for each listed project, by project id."
    )
    limit: int
    offset: int
    total: int


class ProjectsQuery(PageQuery):
    status: str | None = Field(default=None, max_length=16)


class ProjectPath(ApiModel):
    project_id: int = Field(ge=1, le=MAX_ID)


class PersonOut(BaseModel):
    id: str
    name: str
    email: str
    role: str
    companyId: str | None


class MemberOut(PersonOut):
    projectRole: str = Field(description="What they do on the project (lead, sponsor, …).")


class ProjectDetailOut(BaseModel):
    project: ProjectOut
    goals: list[GoalOut]
    members: list[MemberOut]
    aiSummary: SummaryOut | None
    decisions: list[DecisionOut] = Field(description="The most recent decisions, newest first.")


class HistoryItem(BaseModel):
    id: str
    companyId: str | None
    action: str
    objectType: str
    objectId: str | None
    objectLabel: str
    description: str
    actorId: str | None
    actorName: str
    createdAt: datetime


class HistoryOut(BaseModel):
    history: list[HistoryItem]
    limit: int
    offset: int
    total: int


class LeadOut(PersonOut):
    projectId: str
    projectName: str


class TeamOut(BaseModel):
    team: list[PersonOut]
    leads: list[LeadOut]


def _sid(value: int | None) -> str | None:
    return None if value is None else str(value)


def project_out(p: Project) -> dict:
    return ProjectOut(
        id=str(p.id),
        companyId=str(p.company_id),
        name=p.name,
        description=p.description,
        status=p.status,
        leadId=_sid(p.lead_id),
        startDate=p.start_date,
        dueDate=p.due_date,
        createdAt=p.created_at,
    ).model_dump(mode="json")


def person_out(u: User, role: str | None = None) -> dict:
    return PersonOut(
        id=str(u.id),
        name=u.display_name,
        email=u.email,
        role=role or ("staff" if u.is_staff else (u.client_role or "viewer")),
        companyId=_sid(u.company_id),
    ).model_dump(mode="json")


def history_out(a: ActivityLog) -> dict:
    return HistoryItem(
        id=str(a.id),
        companyId=_sid(a.company_id),
        action=a.action,
        objectType=a.object_type,
        objectId=_sid(a.object_id),
        objectLabel=a.object_label,
        description=a.description,
        actorId=_sid(a.actor_id),
        actorName=a.actor_label,
        createdAt=a.created_at,
    ).model_dump(mode="json")


@path_object("project_id")
def _load_project(session: Session, actor: Actor, project_id: int) -> Project:
    return get_for_actor(session, Project, project_id, actor)


@bp.get("/projects", summary="List projects", responses={200: ProjectsOut})
def worker_projects(query: ProjectsQuery):
    """The group's projects, optionally by status. Group-aware."""
    listing = client_overview.list_projects(
        get_session(),
        actor=require_client(),
        status=query.status,
        limit=query.clamped_limit,
        offset=query.offset,
    )
    return {
        "projects": [project_out(p) for p in listing.projects],
        "taskCounts": {
            str(pid): {**pr.counts, "total": pr.total} for pid, pr in listing.progress.items()
        },
        "limit": query.clamped_limit,
        "offset": query.offset,
        "total": listing.total,
    }


@bp.get("/projects/<int:project_id>", summary="Get a project", responses={200: ProjectDetailOut})
def worker_project(path: ProjectPath):
    """A project with its goals, members, AI summary and decisions."""
    actor = require_client()
    detail = projects.project_detail(get_session(), actor=actor, project_id=path.project_id)
    members = [{**person_out(detail.lead), "projectRole": "lead"}] if detail.lead else []
    members += [
        {**person_out(u), "projectRole": m.role_label or "member"}
        for m, u in detail.members
        if detail.lead is None or u.id != detail.lead.id
    ]
    return {
        "project": project_out(detail.project),
        "goals": [goal_out(g) for g in detail.goals],
        "members": members,
        "aiSummary": summary_out(detail.summary),
        "decisions": [decision_out(d, u) for d, u in detail.decisions[:RECENT_DECISIONS]],
    }


@bp.get("/history", summary="Recent history", responses={200: HistoryOut})
def worker_history(query: PageQuery):
    """The group's activity, newest first (default 50 per page)."""
    actor = require_client()
    rows, total = client_overview.history(
        get_session(), actor=actor, limit=query.clamped_limit, offset=query.offset
    )
    return {
        "history": [history_out(a) for a in rows],
        "limit": query.clamped_limit,
        "offset": query.offset,
        "total": total,
    }


@bp.get("/team", summary="Team and leads", responses={200: TeamOut})
def worker_team():
    """People on the group's work: its users and assigned managers, and active projects' leads."""
    view = client_overview.team(get_session(), actor=require_client())
    return {
        "team": [person_out(u) for u in view.people],
        "leads": [
            {**person_out(u, "lead"), "projectId": str(p.id), "projectName": p.name}
            for u, p in view.leads
        ],
    }
