"""Tasks: who may see and change them, and every write (moves, edits, comments, deletes).

Reads for the kanban, list and calendar live in ``services.tasks.views``; client requests in
``services.tasks.requests``. Private tasks are staff-only: every read goes through :func:`visible`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import false
from sqlmodel import Session, func, select
from sqlmodel.sql.expression import SelectOfScalar

from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.models import Portal, Project, Task, TaskAssignee, TaskComment, TaskList, User
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.task import TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES
from portal.tenancy import Actor, get_for_actor, group_company_ids, scoped
from services.events import activity
from services.events.notifications import notify

STATUS_LABELS: dict[str, str] = {
    "open": "Open",
    "up_next": "Up next",
    "in_progress": "In progress",
    "complete": "Complete",
}
PRIORITY_LABELS: dict[str, str] = {
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "urgent": "Urgent",
}


def visible(stmt: SelectOfScalar[Any], actor: Actor) -> SelectOfScalar[Any]:
    """Scope a select over Task to the actor's tenants; private tasks only reach staff."""
    stmt = scoped(stmt, actor, Task)
    if not actor.is_staff:
        stmt = stmt.where(Task.is_private == false())
    return stmt


def can_change_tasks(actor: Actor) -> bool:
    """Moving, creating, editing and commenting: staff with task nodes, clients collaborator+."""
    if actor.is_staff:
        return actor.can("task.update")
    return actor.can("portal.write")


def can_delete_tasks(actor: Actor) -> bool:
    if actor.is_staff:
        return actor.can("task.delete")
    return actor.can("portal.manage")


def _require_change(actor: Actor) -> None:
    if not can_change_tasks(actor):
        raise Forbidden("You can look at tasks, but not change them.")


def get_task(
    session: Session, *, actor: Actor, task_id: Any, company_ids: Iterable[int] | None = None
) -> Task:
    """One task the actor may see (in ``company_ids`` when given), or NotFound."""
    task = get_for_actor(session, Task, task_id, actor)
    if task.is_private and not actor.is_staff:
        raise NotFound()
    if company_ids is not None and task.company_id not in set(company_ids):
        raise NotFound()
    return task


def get_project(
    session: Session, *, actor: Actor, project_id: Any, company_ids: Iterable[int] | None = None
) -> Project:
    project = get_for_actor(session, Project, project_id, actor)
    if company_ids is not None and project.company_id not in set(company_ids):
        raise NotFound()
    return project


def default_project(session: Session, *, actor: Actor, company_id: int) -> Project:
    """Where work lands when no project is named: the company's newest active project."""
    project = session.exec(
        scoped(select(Project), actor, Project)
        .where(Project.company_id == company_id, Project.status == "active")
        .order_by(Project.created_at.desc(), Project.id.desc())  # type: ignore[attr-defined]
    ).first()
    if project is None:
        raise Invalid(errors={"project_id": ["There is no active project to file this under."]})
    return project


def assignee_ids(session: Session, task: Task) -> list[int]:
    return sorted(
        session.exec(select(TaskAssignee.user_id).where(TaskAssignee.task_id == task.id)).all()
    )


def _label(task: Task) -> str:
    return task.title[:300]


def _watchers(session: Session, task: Task) -> set[int]:
    """People who follow a task: its assignees, its creator and its requester."""
    ids = set(
        session.exec(select(TaskAssignee.user_id).where(TaskAssignee.task_id == task.id)).all()
    )
    ids.update(i for i in (task.created_by_id, task.requested_by_id) if i is not None)
    return ids


def task_url(session: Session, task: Task) -> str | None:
    slug = session.exec(select(Portal.slug).where(Portal.company_id == task.company_id)).first()
    return f"/p/{slug}/tasks/{task.id}" if slug else None


def move_task(
    session: Session,
    *,
    actor: Actor,
    task_id: Any,
    status: str,
    order: Sequence[int] | None = None,
    from_status: str | None = None,
    company_ids: Iterable[int] | None = None,
) -> Task:
    """Move a task to ``status``; ``order`` is the column's task ids in their new order.

    ``from_status`` is the column the mover saw the card in: if the task has moved meanwhile
    the move is refused with a Conflict instead of silently overwriting the other change.
    """
    task = get_task(session, actor=actor, task_id=task_id, company_ids=company_ids)
    _require_change(actor)
    if status not in TASK_STATUSES:
        raise Invalid(errors={"status": [f"Choose one of: {', '.join(TASK_STATUSES)}."]})
    if from_status and from_status != task.status:
        raise Conflict(
            "Someone moved this task meanwhile. Reload to see the board as it is now.",
            code="task_moved_meanwhile",
        )
    previous = task.status
    if order:
        ids = [int(i) for i in order]
        if task.id not in ids:
            raise Invalid(errors={"order": ["The order must include the moved task."]})
        siblings = session.exec(
            visible(select(Task), actor).where(
                Task.project_id == task.project_id,
                Task.id.in_(ids),  # type: ignore[union-attr]
            )
        ).all()
        position = {tid: n for n, tid in enumerate(ids)}
        for sibling in siblings:
            sibling.sort_order = position[sibling.id]  # type: ignore[index]
            session.add(sibling)
    elif previous != status:
        last = session.exec(
            select(func.max(Task.sort_order)).where(
                Task.project_id == task.project_id, Task.status == status
            )
        ).one()
        task.sort_order = (last or 0) + 1
    task.status = status
    task.updated_at = utcnow()
    if status != previous:
        _record_status_change(session, actor=actor, task=task, previous=previous)
    session.add(task)
    session.flush()
    return task


def _record_status_change(session: Session, *, actor: Actor, task: Task, previous: str) -> None:
    label = _label(task)
    if task.status == "complete":
        task.completed_at = utcnow()
        _log(session, actor, task, Action.task_completed, f"{actor.label} completed {label}")
        notify(
            session,
            user_ids=_watchers(session, task),
            type="task_completed",
            title=f"Completed: {label}",
            company_id=task.company_id,
            actor=actor,
            url=task_url(session, task),
        )
        return
    if previous == "complete":
        task.completed_at = None
        _log(session, actor, task, Action.task_reopened, f"{actor.label} reopened {label}")
        return
    _log(
        session,
        actor,
        task,
        Action.task_moved,
        f"{actor.label} moved {label} to {STATUS_LABELS[task.status]}",
    )


def _clean_title(title: str | None) -> str:
    value = (title or "").strip()
    if not value:
        raise Invalid(errors={"title": ["Give the task a title."]})
    if len(value) > 300:
        raise Invalid(errors={"title": ["Keep the title under 300 characters."]})
    return value


def _check_choice(field: str, value: str | None, choices: Sequence[str]) -> str | None:
    if value is None or value == "":
        return None
    if value not in choices:
        raise Invalid(errors={field: [f"Choose one of: {', '.join(choices)}."]})
    return value


def parse_due_date(value: Any) -> date | None:
    """``YYYY-MM-DD`` (or a date) to a date; blank is None; anything else is Invalid."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise Invalid(errors={"due_date": ["Use a date like 2026-12-31."]}) from None


def _assignable_ids(
    session: Session, *, actor: Actor, project: Project, user_ids: Iterable[Any]
) -> list[int]:
    """Assignees must be people of the project's company group or staff on it."""
    try:
        wanted = sorted({int(u) for u in user_ids if str(u).strip()})
    except (TypeError, ValueError):
        raise Invalid(errors={"assignee_ids": ["Assignees are user ids."]}) from None
    if not wanted:
        return []
    companies = group_company_ids(session, project.company_id)
    users = session.exec(select(User).where(User.id.in_(wanted), User.is_active)).all()  # type: ignore[union-attr]
    ok = [u.id for u in users if u.is_staff or u.company_id in companies]
    if len(ok) != len(wanted):
        raise Invalid(errors={"assignee_ids": ["Some of those people can't be assigned here."]})
    return [int(i) for i in ok if i is not None]


def _set_assignees(session: Session, *, actor: Actor, task: Task, user_ids: list[int]) -> list[int]:
    """Replace the assignees; return the newly added ones (they get notified)."""
    current = {
        a.user_id: a
        for a in session.exec(select(TaskAssignee).where(TaskAssignee.task_id == task.id)).all()
    }
    added = [u for u in user_ids if u not in current]
    for user_id, row in current.items():
        if user_id not in user_ids:
            session.delete(row)
    for user_id in added:
        session.add(TaskAssignee(company_id=task.company_id, task_id=task.id, user_id=user_id))  # type: ignore[arg-type]
    session.flush()
    if added:
        notify(
            session,
            user_ids=added,
            type="task_assigned",
            title=f"Assigned to you: {_label(task)}",
            company_id=task.company_id,
            actor=actor,
            url=task_url(session, task),
        )
    return added


def _list_in_project(session: Session, project: Project, list_id: Any) -> int | None:
    if list_id in (None, ""):
        return None
    try:
        lid = int(list_id)
    except (TypeError, ValueError):
        raise Invalid(errors={"list": ["Unknown task list."]}) from None
    found = session.exec(
        select(TaskList.id).where(TaskList.id == lid, TaskList.project_id == project.id)
    ).first()
    if found is None:
        raise Invalid(errors={"list": ["Unknown task list."]})
    return lid


def list_id_by_name(session: Session, *, project: Project, name: str) -> int:
    """The project's task list called ``name``, created when missing (the API's ``list``)."""
    clean = name.strip()[:200]
    found = session.exec(
        select(TaskList).where(TaskList.project_id == project.id, TaskList.name == clean)
    ).first()
    if found is None:
        count = session.exec(
            select(func.count()).select_from(TaskList).where(TaskList.project_id == project.id)
        ).one()
        found = TaskList(
            company_id=project.company_id, project_id=project.id, name=clean, sort_order=count
        )  # type: ignore[arg-type]
        session.add(found)
        session.flush()
    return found.id  # type: ignore[return-value]


def create_task(
    session: Session,
    *,
    actor: Actor,
    project_id: Any,
    title: str,
    company_ids: Iterable[int] | None = None,
    description: str = "",
    status: str = "open",
    priority: str = "medium",
    type: str = "task",  # noqa: A002 - the field's name
    due_date: Any = None,
    list_id: Any = None,
    assignee_ids: Iterable[Any] = (),
    is_private: bool = False,
    is_milestone: bool = False,
) -> Task:
    """Add a task to a project's board (at the end of its column)."""
    project = get_project(session, actor=actor, project_id=project_id, company_ids=company_ids)
    _require_change(actor)
    clean_title = _clean_title(title)
    status = _check_choice("status", status, TASK_STATUSES) or "open"
    priority = _check_choice("priority", priority, TASK_PRIORITIES) or "medium"
    kind = _check_choice("type", type, TASK_TYPES) or "task"
    due = parse_due_date(due_date)
    lid = _list_in_project(session, project, list_id)
    assignees = _assignable_ids(session, actor=actor, project=project, user_ids=assignee_ids)
    last = session.exec(
        select(func.max(Task.sort_order)).where(
            Task.project_id == project.id, Task.status == status
        )
    ).one()
    task = Task(
        company_id=project.company_id,
        project_id=project.id,  # type: ignore[arg-type]
        list_id=lid,
        title=clean_title,
        description=(description or "").strip(),
        status=status,
        priority=priority,
        type="milestone" if is_milestone and kind == "task" else kind,
        due_date=due,
        sort_order=(last or 0) + 1,
        is_private=bool(is_private) and actor.is_staff,
        is_milestone=bool(is_milestone) or kind == "milestone",
        created_by_id=actor.user_id,
        completed_at=utcnow() if status == "complete" else None,
    )
    session.add(task)
    session.flush()
    _log(session, actor, task, Action.task_created, f"{actor.label} added {_label(task)}")
    _set_assignees(session, actor=actor, task=task, user_ids=assignees)
    return task


UPDATABLE = (
    "title",
    "description",
    "priority",
    "type",
    "due_date",
    "list_id",
    "is_private",
    "is_milestone",
)


def update_task(
    session: Session,
    *,
    actor: Actor,
    task_id: Any,
    changes: dict[str, Any],
    company_ids: Iterable[int] | None = None,
) -> Task:
    """Change a task's fields; ``status`` moves it, ``assignee_ids`` replaces its assignees."""
    task = get_task(session, actor=actor, task_id=task_id, company_ids=company_ids)
    _require_change(actor)
    project = session.get(Project, task.project_id)
    assert project is not None
    if "title" in changes:
        task.title = _clean_title(changes["title"])
    if "description" in changes:
        task.description = (changes["description"] or "").strip()
    if "priority" in changes:
        task.priority = _check_choice("priority", changes["priority"], TASK_PRIORITIES) or "medium"
    if "type" in changes:
        task.type = _check_choice("type", changes["type"], TASK_TYPES) or "task"
    if "due_date" in changes:
        task.due_date = parse_due_date(changes["due_date"])
    if "list_id" in changes:
        task.list_id = _list_in_project(session, project, changes["list_id"])
    if "is_private" in changes:
        if not actor.is_staff:
            raise Forbidden("Only your agency team can make a task private.")
        task.is_private = bool(changes["is_private"])
    if "is_milestone" in changes:
        task.is_milestone = bool(changes["is_milestone"])
    task.updated_at = utcnow()
    session.add(task)
    session.flush()
    if "assignee_ids" in changes:
        ids = _assignable_ids(
            session, actor=actor, project=project, user_ids=changes["assignee_ids"] or []
        )
        _set_assignees(session, actor=actor, task=task, user_ids=ids)
    if changes.get("status") and changes["status"] != task.status:
        move_task(session, actor=actor, task_id=task.id, status=changes["status"])
    elif set(changes) & set(UPDATABLE):
        _log(session, actor, task, Action.task_updated, f"{actor.label} updated {_label(task)}")
    return task


def _log(session: Session, actor: Actor, task: Task, action: Action, description: str) -> None:
    """The activity row for a change to ``task``."""
    activity.record(
        session,
        actor=actor,
        company_id=task.company_id,
        action=action,
        object_type="task",
        object_id=task.id,
        object_label=_label(task),
        description=description,
    )


def delete_task(
    session: Session, *, actor: Actor, task_id: Any, company_ids: Iterable[int] | None = None
) -> None:
    task = get_task(session, actor=actor, task_id=task_id, company_ids=company_ids)
    if not can_delete_tasks(actor):
        raise Forbidden("Only your agency team or a company admin can delete tasks.")
    _log(session, actor, task, Action.task_deleted, f"{actor.label} deleted {_label(task)}")
    session.delete(task)
    session.flush()


def add_comment(
    session: Session,
    *,
    actor: Actor,
    task_id: Any,
    body: str,
    company_ids: Iterable[int] | None = None,
) -> TaskComment:
    task = get_task(session, actor=actor, task_id=task_id, company_ids=company_ids)
    _require_change(actor)
    text = (body or "").strip()
    if not text:
        raise Invalid(errors={"body": ["Write something first."]})
    if len(text) > 5000:
        raise Invalid(errors={"body": ["Keep comments under 5,000 characters."]})
    comment = TaskComment(
        company_id=task.company_id,
        task_id=task.id,  # type: ignore[arg-type]
        author_id=actor.user_id,
        author_label=actor.label,
        body=text,
    )
    session.add(comment)
    session.flush()
    _log(session, actor, task, Action.task_commented, f"{actor.label} commented on {_label(task)}")
    return comment
