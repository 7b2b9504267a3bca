"""Client requests (reference 000): a request becomes a task with an SLA due date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from portal.errors import Forbidden, Invalid
from portal.models import Agency, Company, PortalManager, Project, Task
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.task import DEFAULT_SLA_HOURS, TASK_PRIORITIES
from portal.tenancy import Actor
from services.events import activity
from services.events.notifications import notify
from services.tasks import default_project, get_project, task_url, visible


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
            select(PortalManager.user_id).where(PortalManager.company_id.in_(companies))  # type: ignore[attr-defined]
        ).all()
    )
    if project.lead_id:
        ids.add(project.lead_id)
    return ids


def create_request(
    session: Session,
    *,
    actor: Actor,
    company_id: int,
    company_ids: Iterable[int],
    title: str,
    description: str = "",
    priority: str | None = None,
    project_id: Any = None,
) -> Task:
    """A collaborator+ files a request: it becomes a task due by the SLA of its priority."""
    if not (actor.is_staff or actor.can("portal.write")):
        raise Forbidden("Viewers can't submit requests.")
    errors: dict[str, list[str]] = {}
    clean = (title or "").strip()
    if not clean:
        errors["title"] = ["Tell us what you need in a few words."]
    elif len(clean) > 300:
        errors["title"] = ["Keep the title under 300 characters."]
    level = (priority or "medium").strip().lower()
    if level not in TASK_PRIORITIES:
        errors["priority"] = [f"Choose one of: {', '.join(TASK_PRIORITIES)}."]
    if errors:
        raise Invalid(errors=errors)
    if project_id not in (None, ""):
        project = get_project(session, actor=actor, project_id=project_id, company_ids=company_ids)
    else:
        project = default_project(session, actor=actor, company_id=company_id)
    due_at = sla_due(session, level)
    task = Task(
        company_id=project.company_id,
        project_id=project.id,  # type: ignore[arg-type]
        title=clean,
        description=(description or "").strip()[:10000],
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
    )
    return task


@dataclass(frozen=True)
class RequestRow:
    task: Task
    project_name: str


def list_requests(
    session: Session, *, actor: Actor, company_ids: Iterable[int], limit: int = 50
) -> list[RequestRow]:
    """Clients see the requests they filed; staff see every request in the portal."""
    stmt = (
        visible(select(Task, Project.name), actor)
        .join(Project, Project.id == Task.project_id)
        .where(Task.is_request, Task.company_id.in_(sorted(company_ids)))  # type: ignore[attr-defined]
    )
    if not actor.is_staff:
        stmt = stmt.where(Task.requested_by_id == actor.user_id)
    rows = session.exec(
        stmt.order_by(Task.created_at.desc(), Task.id.desc()).limit(limit)  # type: ignore[attr-defined]
    ).all()
    return [RequestRow(task=t, project_name=name) for t, name in rows]
