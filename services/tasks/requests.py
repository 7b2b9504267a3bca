"""Client requests (reference 000): a request becomes a task with an SLA due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from portal.errors import Forbidden
from portal.models import Agency, ClientRole, Company, PortalManager, Project, Task
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.task import DEFAULT_SLA_HOURS, TASK_PRIORITIES, RequestCreate
from portal.tenancy import Actor, role_at_least, scoped
from services.events import activity
from services.events.notifications import Subject, notify
from services.tasks import target_project, task_url
from services.tasks.views import portal_projects


def sla_hours(session: Session) -> dict[str, int]:
    """The agency's SLA per priority, falling back to the defaults key by key."""
    agency = session.exec(select(Agency).limit(1)).first()
    configured = (agency.sla_hours if agency else None) or {}
    return {p: int(configured.get(p, hours)) for p, hours in DEFAULT_SLA_HOURS.items()}


def sla_due(session: Session, priority: str, now: datetime | None = None) -> datetime:
    return (now or utcnow()) + timedelta(hours=sla_hours(session)[priority])


def _manager_ids(session: Session, project: Project) -> set[int]:
    """The PMs of the project's company (or of its parent) and the project lead."""
    parent = session.exec(select(Company.parent_id).where(Company.id == project.company_id)).first()
    companies = [project.company_id, *([parent] if parent else [])]
    ids = set(
        session.exec(
            select(PortalManager.user_id).where(col(PortalManager.company_id).in_(companies))
        ).all()
    )
    if project.lead_id:
        ids.add(project.lead_id)
    return ids


def create_request(
    session: Session, *, actor: Actor, company_id: int | None, data: RequestCreate
) -> Task:
    """A collaborator+ files a request: it becomes a task due by the SLA of its priority.

    Without ``data.project_id`` it lands in ``company_id``'s newest active project.
    """
    if not role_at_least(actor, ClientRole.collaborator):
        raise Forbidden("Viewers can't submit requests.")
    project = target_project(
        session, actor=actor, project_id=data.project_id, company_id=company_id
    )
    assert project.id is not None
    level = data.priority
    due_at = sla_due(session, level)
    task = Task(
        company_id=project.company_id,
        project_id=project.id,
        title=data.title,
        description=data.description,
        status="open",
        priority=level,
        type="request",
        due_date=due_at.date(),
        sla_due_at=due_at,
        sort_order=-1,  # new requests go to the top of Open
        is_request=True,
        requested_by_id=actor.user_id,
        created_by_id=actor.user_id,
    )
    session.add(task)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=task.company_id,
        action=Action.task_created,
        object_type="task",
        object_id=task.id,
        object_label=task.title,
        description=f"{actor.label} requested {task.title}",
    )
    notify(
        session,
        user_ids=_manager_ids(session, project),
        type="request_created",
        title=f"New request: {task.title}",
        body=f"{actor.label} · {level} priority · due {due_at:%d %b %H:%M} UTC",
        company_id=task.company_id,
        actor=actor,
        url=task_url(session, task),
        subject=Subject("task", task.id, task.title),
    )
    return task


@dataclass(frozen=True)
class RequestRow:
    task: Task
    project_name: str


def list_requests(session: Session, *, actor: Actor, limit: int = 50) -> list[RequestRow]:
    """Clients see the requests they filed; staff see every request in the portal (the actor
    is narrowed to it)."""
    stmt = (
        scoped(select(Task, Project.name), actor, Task)
        .join(Project, col(Project.id) == Task.project_id)
        .where(col(Task.is_request))
    )
    if not actor.is_staff:
        stmt = stmt.where(col(Task.requested_by_id) == actor.user_id)
    rows = session.exec(
        stmt.order_by(col(Task.created_at).desc(), col(Task.id).desc()).limit(limit)
    ).all()
    return [RequestRow(task=t, project_name=name) for t, name in rows]


@dataclass(frozen=True)
class RequestsPage:
    rows: list[RequestRow]
    projects: list[Project]  # where a new request may be filed (active projects)
    sla: dict[str, int]
    priorities: tuple[str, ...] = TASK_PRIORITIES


def requests_page(session: Session, *, actor: Actor) -> RequestsPage:
    """The requests page: my requests (all of them for staff), the form's projects and SLAs."""
    return RequestsPage(
        rows=list_requests(session, actor=actor),
        projects=[p for p in portal_projects(session, actor=actor) if p.status == "active"],
        sla=sla_hours(session),
    )
