"""Tasks: who may change them, and every write (moves, edits, comments, deletes).

Reads for the kanban, list and calendar live in ``services.tasks.views``; client requests in
``services.tasks.requests``; attachments in ``services.tasks.attachments``. Private tasks are
staff-only by declaration (``Task.__staff_only__``): every ``scoped()`` read leaves them out
for anyone but staff. Input arrives validated, as the families in ``portal.models.task``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, func, select

from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.models import (
    ClientRole,
    Portal,
    Project,
    Task,
    TaskAssignee,
    TaskComment,
    TaskList,
    User,
)
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.task import TASK_STATUSES, TaskCommentCreate, TaskCreate, TaskUpdate
from portal.tenancy import (
    Actor,
    get_for_actor,
    group_company_ids,
    role_at_least,
    scoped,
    staff_can,
    staff_seeing_company,
)
from services import notes
from services.events import activity
from services.events.notifications import Subject, notify, resolve
from services.portals.admin import get_portal

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


def can_change_tasks(actor: Actor) -> bool:
    """Moving, creating, editing and commenting: staff with ``task.update``, clients
    collaborator+."""
    if actor.is_staff:
        return staff_can(actor, "task.update")
    return role_at_least(actor, ClientRole.collaborator)


def can_delete_tasks(actor: Actor) -> bool:
    """Deleting: staff with ``task.delete``, client admins."""
    if actor.is_staff:
        return staff_can(actor, "task.delete")
    return role_at_least(actor, ClientRole.admin)


def _require_change(actor: Actor) -> None:
    if not can_change_tasks(actor):
        raise Forbidden("You can look at tasks, but not change them.")


def get_task(session: Session, *, actor: Actor, task_id: int) -> Task:
    """One task the actor may see (private ones: staff only), or NotFound."""
    return get_for_actor(session, Task, task_id, actor)


def get_project(session: Session, *, actor: Actor, project_id: int) -> Project:
    return get_for_actor(session, Project, project_id, actor)


def default_project(session: Session, *, actor: Actor, company_id: int) -> Project:
    """Where work lands when no project is named: the company's newest active project."""
    project = session.exec(
        scoped(select(Project), actor, Project)
        .where(Project.company_id == company_id, Project.status == "active")
        .order_by(col(Project.created_at).desc(), col(Project.id).desc())
    ).first()
    if project is None:
        raise Invalid(errors={"project_id": ["There is no active project to file this under."]})
    return project


def target_project(
    session: Session, *, actor: Actor, project_id: int | None, company_id: int | None
) -> Project:
    """The project named, else the newest active one of ``company_id`` (where new work lands)."""
    if project_id is not None:
        return get_project(session, actor=actor, project_id=project_id)
    if company_id is None:
        raise Invalid(errors={"project_id": ["Choose a project."]})
    if not actor.can_see_company(company_id):
        raise NotFound()
    return default_project(session, actor=actor, company_id=company_id)


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
    task_id: int,
    status: str,
    order: Sequence[int] = (),
    from_status: str | None = None,
) -> Task:
    """Move a task to ``status``; ``order`` is the column's task ids in their new order.

    ``from_status`` is the column the mover saw the card in: if the task has moved meanwhile
    the move is refused with a Conflict instead of silently overwriting the other change.
    """
    task = get_task(session, actor=actor, task_id=task_id)
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
        ids = list(order)
        if task.id not in ids:
            raise Invalid(errors={"order": ["The order must include the moved task."]})
        siblings = session.exec(
            scoped(select(Task), actor, Task).where(
                Task.project_id == task.project_id, col(Task.id).in_(ids)
            )
        ).all()
        position = {tid: n for n, tid in enumerate(ids)}
        for sibling in siblings:
            sibling.sort_order = position[sibling.id or 0]
            session.add(sibling)
    elif previous != status:
        task.sort_order = _next_sort_order(session, project_id=task.project_id, status=status)
    task.status = status
    task.updated_at = utcnow()
    if status != previous:
        _record_status_change(session, actor=actor, task=task, previous=previous)
    session.add(task)
    session.flush()
    return task


def _next_sort_order(session: Session, *, project_id: int, status: str) -> int:
    """The end of a column."""
    last = session.exec(
        select(func.max(Task.sort_order)).where(
            Task.project_id == project_id, Task.status == status
        )
    ).one()
    return (last or 0) + 1


def _answered(session: Session, *, actor: Actor, task: Task) -> None:
    """The agency answered a client's request (a comment, a move): the managers' "new request"
    notices are done."""
    if task.is_request and actor.is_staff:
        resolve(session, subject=Subject("task", task.id, task.title), types=["request_created"])


def _record_status_change(session: Session, *, actor: Actor, task: Task, previous: str) -> None:
    label = _label(task)
    _answered(session, actor=actor, task=task)
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
            subject=Subject("task", task.id, label),
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


def _assignable_ids(session: Session, *, project: Project, user_ids: Iterable[int]) -> list[int]:
    """Assignees must be people of the project's company group or staff who can see it; any
    other id (staff of other clients included) is refused exactly like an unknown one."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return []
    companies = group_company_ids(session, project.company_id)
    users = session.exec(select(User).where(col(User.id).in_(wanted), col(User.is_active))).all()
    staff = staff_seeing_company(session, company_id=project.company_id, user_ids=wanted)
    ok = [
        u.id
        for u in users
        if u.id is not None and (u.id in staff if u.is_staff else u.company_id in companies)
    ]
    if len(ok) != len(wanted):
        raise Invalid(errors={"assignee_ids": ["Some of those people can't be assigned here."]})
    return ok


def _set_assignees(session: Session, *, actor: Actor, task: Task, user_ids: list[int]) -> list[int]:
    """Replace the assignees; return the newly added ones (they get notified)."""
    assert task.id is not None
    current = {
        a.user_id: a
        for a in session.exec(select(TaskAssignee).where(TaskAssignee.task_id == task.id)).all()
    }
    added = [u for u in user_ids if u not in current]
    for user_id, row in current.items():
        if user_id not in user_ids:
            session.delete(row)
    for user_id in added:
        session.add(TaskAssignee(company_id=task.company_id, task_id=task.id, user_id=user_id))
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
            subject=Subject("task", task.id, _label(task)),
        )
    return added


def _list_in_project(session: Session, project: Project, list_id: int | None) -> int | None:
    if list_id is None:
        return None
    found = session.exec(
        select(TaskList.id).where(TaskList.id == list_id, TaskList.project_id == project.id)
    ).first()
    if found is None:
        raise Invalid(errors={"list": ["Unknown task list."]})
    return list_id


def list_id_by_name(session: Session, *, project: Project, name: str) -> int:
    """The project's task list called ``name``, created when missing (the API's ``list``)."""
    assert project.id is not None
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
        )
        session.add(found)
        session.flush()
    assert found.id is not None
    return found.id


def _chosen_list(
    session: Session, project: Project, *, list_id: int | None, list_name: str | None
) -> int | None:
    """A list named (created when missing) wins over a list id; neither is no list."""
    if list_name and list_name.strip():
        return list_id_by_name(session, project=project, name=list_name)
    return _list_in_project(session, project, list_id)


def create_task(
    session: Session, *, actor: Actor, data: TaskCreate, company_id: int | None = None
) -> Task:
    """Add a task to a project's board (at the end of its column).

    Without ``data.project_id`` it lands in ``company_id``'s newest active project.
    """
    project = target_project(
        session, actor=actor, project_id=data.project_id, company_id=company_id
    )
    assert project.id is not None
    _require_change(actor)
    lid = _chosen_list(session, project, list_id=data.list_id, list_name=data.list_name)
    assignees = _assignable_ids(session, project=project, user_ids=data.assignee_ids)
    task = Task(
        company_id=project.company_id,
        project_id=project.id,
        list_id=lid,
        title=data.title,
        description=data.description,
        status=data.status,
        priority=data.priority,
        type="milestone" if data.is_milestone and data.type == "task" else data.type,
        due_date=data.due_date,
        sort_order=_next_sort_order(session, project_id=project.id, status=data.status),
        is_private=data.is_private and actor.is_staff,
        is_milestone=data.is_milestone or data.type == "milestone",
        created_by_id=actor.user_id,
        completed_at=utcnow() if data.status == "complete" else None,
    )
    session.add(task)
    session.flush()
    _log(session, actor, task, Action.task_created, f"{actor.label} added {_label(task)}")
    _set_assignees(session, actor=actor, task=task, user_ids=assignees)
    return task


def create_portal_task(session: Session, *, actor: Actor, portal_id: int, data: TaskCreate) -> Task:
    """A task in one of the portal's own projects (reference 003): the project named, else the
    portal's newest active one."""
    portal = get_portal(session, actor=actor, portal_id=portal_id)
    return create_task(
        session,
        actor=actor.narrowed([portal.company_id]),
        data=data,
        company_id=portal.company_id,
    )


# A change to any of these (not only a move or new assignees) is recorded as "updated".
UPDATABLE = frozenset(
    {
        "title",
        "description",
        "priority",
        "type",
        "due_date",
        "list_id",
        "list_name",
        "is_private",
        "is_milestone",
    }
)


def update_task(session: Session, *, actor: Actor, task_id: int, data: TaskUpdate) -> Task:
    """Change a task's fields; ``status`` moves it, ``assignee_ids`` replaces its assignees."""
    task = get_task(session, actor=actor, task_id=task_id)
    _require_change(actor)
    changes = data.changes()
    if "is_private" in changes and not actor.is_staff:
        raise Forbidden("Only your agency team can make a task private.")
    project = session.get(Project, task.project_id)
    assert project is not None
    for name in ("title", "priority", "type", "due_date", "is_private", "is_milestone"):
        if name in changes:
            setattr(task, name, changes[name])
    if "description" in changes:
        task.description = changes["description"] or ""
    if "list_name" in changes or "list_id" in changes:
        task.list_id = _chosen_list(
            session, project, list_id=data.list_id, list_name=data.list_name
        )
    task.updated_at = utcnow()
    session.add(task)
    session.flush()
    if "assignee_ids" in changes:
        ids = _assignable_ids(session, project=project, user_ids=changes["assignee_ids"])
        _set_assignees(session, actor=actor, task=task, user_ids=ids)
    if changes.get("status") and changes["status"] != task.status:
        move_task(session, actor=actor, task_id=task_id, status=changes["status"])
    elif set(changes) & UPDATABLE:
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


def delete_task(session: Session, *, actor: Actor, task_id: int) -> int:
    """Delete a task (staff with ``task.delete``, client admins); returns its project's id."""
    task = get_task(session, actor=actor, task_id=task_id)
    if not can_delete_tasks(actor):
        raise Forbidden("Only your agency team or a company admin can delete tasks.")
    project_id = task.project_id
    _log(session, actor, task, Action.task_deleted, f"{actor.label} deleted {_label(task)}")
    session.delete(task)
    session.flush()
    return project_id


def add_comment(
    session: Session, *, actor: Actor, task_id: int, data: TaskCommentCreate
) -> TaskComment:
    """Comment on a task (whoever may change tasks)."""
    task = get_task(session, actor=actor, task_id=task_id)
    assert task.id is not None
    _require_change(actor)
    comment = TaskComment(
        company_id=task.company_id,
        task_id=task.id,
        author_id=actor.user_id,
        author_label=actor.label,
        body=data.body,
    )
    session.add(comment)
    session.flush()
    _log(session, actor, task, Action.task_commented, f"{actor.label} commented on {_label(task)}")
    _answered(session, actor=actor, task=task)
    notes.notify_mentions(
        session,
        actor=actor,
        company_id=task.company_id,
        tokens=notes.mention_tokens(comment.body),
        type="task_mention",
        label=_label(task),
        body=comment.body,
        url=task_url(session, task),
        staff_only=task.is_private,
    )
    return comment
