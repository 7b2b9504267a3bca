"""What the tasks pages show (board, list, calendar, one task), in a fixed number of queries."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, false, or_, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from portal.errors import NotFound
from portal.models import PortalManager, Project, Task, TaskAssignee, TaskComment, TaskList, User
from portal.models.task import TASK_PRIORITIES, TASK_STATUSES
from portal.tenancy import Actor, scoped
from services.tasks import (
    STATUS_LABELS,
    can_change_tasks,
    can_delete_tasks,
    get_project,
    visible,
)

VIEWS = ("board", "list", "calendar")
DUE_FILTERS = {"overdue": "Overdue", "week": "Due this week", "none": "No due date"}


@dataclass(frozen=True)
class TaskFilters:
    """Server-side filters from the query string (unknown values are ignored)."""

    assignee: int | None = None
    due: str | None = None
    priority: str | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> TaskFilters:
        raw = (args.get("assignee") or "").strip()
        assignee = int(raw) if raw.isdigit() else None
        due = args.get("due") if args.get("due") in DUE_FILTERS else None
        priority = args.get("priority") if args.get("priority") in TASK_PRIORITIES else None
        return cls(assignee=assignee, due=due, priority=priority)

    @property
    def active(self) -> bool:
        return any((self.assignee, self.due, self.priority))

    def query(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in (
                ("assignee", self.assignee),
                ("due", self.due),
                ("priority", self.priority),
            )
            if v
        }

    def apply(self, stmt: Any, today: date) -> Any:
        if self.priority:
            stmt = stmt.where(Task.priority == self.priority)
        if self.due == "overdue":
            stmt = stmt.where(Task.due_date < today, Task.status != "complete")  # type: ignore[operator]
        elif self.due == "week":
            stmt = stmt.where(Task.due_date >= today, Task.due_date <= today + timedelta(days=7))  # type: ignore[operator]
        elif self.due == "none":
            stmt = stmt.where(Task.due_date.is_(None))  # type: ignore[union-attr]
        if self.assignee:
            stmt = stmt.where(
                Task.id.in_(  # type: ignore[union-attr]
                    select(TaskAssignee.task_id).where(TaskAssignee.user_id == self.assignee)
                )
            )
        return stmt


@dataclass
class TaskCard:
    task: Task
    assignees: list[User] = field(default_factory=list)
    comment_count: int = 0

    @property
    def overdue(self) -> bool:
        t = self.task
        return bool(t.due_date and t.status != "complete" and t.due_date < date.today())


@dataclass
class Column:
    status: str
    label: str
    cards: list[TaskCard]


@dataclass
class ListGroup:
    task_list: TaskList | None
    cards: list[TaskCard]


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    cards: list[TaskCard]


@dataclass
class TasksView:
    view: str
    projects: list[Project]
    project: Project | None
    filters: TaskFilters
    people: list[User]
    columns: list[Column]
    groups: list[ListGroup]
    weeks: list[list[CalendarDay]]
    month: date
    total: int
    can_change: bool
    can_delete: bool
    today: date

    @property
    def prev_month(self) -> str:
        return (self.month - timedelta(days=1)).strftime("%Y-%m")

    @property
    def next_month(self) -> str:
        return (self.month + timedelta(days=32)).replace(day=1).strftime("%Y-%m")


def portal_projects(session: Session, *, actor: Actor, company_ids: Iterable[int]) -> list[Project]:
    """The projects shown in the portal's project picker: active first, then by name."""
    rows = session.exec(
        scoped(select(Project), actor, Project)
        .where(Project.company_id.in_(sorted(company_ids)))  # type: ignore[attr-defined]
        .order_by(Project.status != "active", Project.name)
        .limit(100)
    ).all()
    return list(rows)


def _parse_month(raw: str | None, today: date) -> date:
    try:
        year, month = (int(x) for x in (raw or "").split("-", 1))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _tasks_with_comment_count(actor: Actor) -> Any:
    """``select(Task, comment count)`` over the tasks the actor may see."""
    count = (
        select(func.count(TaskComment.id))  # type: ignore[arg-type]
        .where(TaskComment.task_id == Task.id)
        .correlate(Task)
        .scalar_subquery()
    )
    return visible(select(Task, count), actor)


def _assignees(session: Session, stmt: Any) -> dict[int, list[User]]:
    assigned: dict[int, list[User]] = defaultdict(list)
    for task_id, user in session.exec(stmt.order_by(User.name, User.id)).all():
        assigned[task_id].append(user)
    return assigned


def _cards(
    session: Session, rows: list[Any], assigned: dict[int, list[User]] | None = None
) -> list[TaskCard]:
    """Cards from (task, comment count) rows; assignees in one query unless given."""
    ids = [t.id for t, _ in rows]
    if not ids:
        return []
    if assigned is None:
        assigned = _assignees(
            session,
            select(TaskAssignee.task_id, User)
            .join(User, User.id == TaskAssignee.user_id)
            .where(TaskAssignee.task_id.in_(ids)),  # type: ignore[attr-defined]
        )
    return [
        TaskCard(task=t, assignees=assigned.get(t.id, []), comment_count=int(n or 0))  # type: ignore[arg-type]
        for t, n in rows
    ]


def tasks_view(
    session: Session,
    *,
    actor: Actor,
    company_ids: Iterable[int],
    args: Mapping[str, str],
    project_id: int | None = None,
) -> TasksView:
    """The tasks tab: a project's board, list or calendar, filtered server-side."""
    company_ids = list(company_ids)
    today = date.today()
    view = args.get("view") if args.get("view") in VIEWS else "board"
    filters = TaskFilters.parse(args)
    projects = portal_projects(session, actor=actor, company_ids=company_ids)
    wanted = project_id
    if wanted is None and (args.get("project") or "").isdigit():
        wanted = int(args["project"])
    if wanted is not None:
        project = next((p for p in projects if p.id == wanted), None)
        if project is None:
            raise NotFound()
    else:
        project = projects[0] if projects else None
    month = _parse_month(args.get("month"), today)
    rows: list[Any] = []
    lists: list[TaskList] = []
    people: list[User] = []
    assigned: dict[int, list[User]] = {}
    if project is not None:
        stmt = _tasks_with_comment_count(actor).where(Task.project_id == project.id)
        if view == "calendar":
            first = month - timedelta(days=month.weekday())
            last = first + timedelta(days=41)
            stmt = stmt.where(Task.due_date >= first, Task.due_date <= last)  # type: ignore[operator]
        stmt = filters.apply(stmt, today).order_by(Task.sort_order, Task.id).limit(500)
        rows = list(session.exec(stmt).all())
        if view == "list":
            lists = list(
                session.exec(
                    select(TaskList)
                    .where(TaskList.project_id == project.id)
                    .order_by(TaskList.sort_order, TaskList.id)
                ).all()
            )
        # every assignee on the project's visible tasks: the filter's people and the cards'
        assigned = _assignees(
            session,
            visible(select(TaskAssignee.task_id, User), actor)
            .join(Task, Task.id == TaskAssignee.task_id)
            .join(User, User.id == TaskAssignee.user_id)
            .where(Task.project_id == project.id),
        )
        by_id = {u.id: u for users in assigned.values() for u in users}
        people = sorted(by_id.values(), key=lambda u: (u.display_name.lower(), u.id or 0))
    cards = _cards(session, rows, assigned)
    columns = [
        Column(status=s, label=STATUS_LABELS[s], cards=[c for c in cards if c.task.status == s])
        for s in TASK_STATUSES
    ]
    groups: list[ListGroup] = []
    if view == "list":
        by_list: dict[int | None, list[TaskCard]] = defaultdict(list)
        for c in cards:
            by_list[c.task.list_id].append(c)
        status_rank = {s: n for n, s in enumerate(TASK_STATUSES)}
        for bucket in by_list.values():
            bucket.sort(key=lambda c: (status_rank[c.task.status], c.task.sort_order, c.task.id))
        groups = [ListGroup(tl, by_list[tl.id]) for tl in lists if by_list.get(tl.id)]
        known = {tl.id for tl in lists}
        orphans = [c for lid, bucket in by_list.items() if lid not in known for c in bucket]
        if orphans:
            groups.append(ListGroup(None, orphans))
    weeks: list[list[CalendarDay]] = []
    if view == "calendar":
        by_day: dict[date, list[TaskCard]] = defaultdict(list)
        for c in cards:
            if c.task.due_date:
                by_day[c.task.due_date].append(c)
        for week in calendar.Calendar().monthdatescalendar(month.year, month.month):
            weeks.append([CalendarDay(d, d.month == month.month, by_day.get(d, [])) for d in week])
    return TasksView(
        view=view,
        projects=projects,
        project=project,
        filters=filters,
        people=people,
        columns=columns,
        groups=groups,
        weeks=weeks,
        month=month,
        total=len(cards),
        can_change=can_change_tasks(actor),
        can_delete=can_delete_tasks(actor),
        today=today,
    )


@dataclass
class TaskDetail:
    task: Task
    project: Project
    task_list: TaskList | None
    assignees: list[User]
    comments: list[TaskComment]
    requested_by: User | None
    lists: list[TaskList]
    people: list[User]  # who may be assigned (for the edit form)
    can_change: bool
    can_delete: bool
    today: date

    @property
    def overdue(self) -> bool:
        t = self.task
        return bool(t.due_date and t.status != "complete" and t.due_date < date.today())


def task_detail(
    session: Session, *, actor: Actor, task_id: Any, company_ids: Iterable[int]
) -> TaskDetail:
    """One task with its project, list, requester, assignees and comments.

    Task, project, list and requester come in one query; the edit form's choices (lists,
    people) are only loaded for those who may edit.
    """
    company_ids = sorted(company_ids)
    try:
        pk = int(task_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    requester = aliased(User)
    row = session.exec(
        visible(select(Task, Project, TaskList, requester), actor)
        .join(Project, Project.id == Task.project_id)
        .outerjoin(TaskList, TaskList.id == Task.list_id)  # type: ignore[arg-type]
        .outerjoin(requester, requester.id == Task.requested_by_id)  # type: ignore[arg-type]
        .where(Task.id == pk, Task.company_id.in_(company_ids))  # type: ignore[attr-defined]
    ).first()
    if row is None:
        raise NotFound()
    task, project, task_list, requested_by = row
    comments = list(
        session.exec(
            select(TaskComment)
            .where(TaskComment.task_id == task.id)
            .order_by(TaskComment.created_at, TaskComment.id)
            .limit(200)
        ).all()
    )
    can_change = can_change_tasks(actor)
    is_assigned = (
        exists()
        .where(TaskAssignee.task_id == task.id, TaskAssignee.user_id == User.id)
        .correlate(User)
    )
    lists: list[TaskList] = []
    people: list[User] = []
    if can_change:
        lists = list(
            session.exec(
                select(TaskList)
                .where(TaskList.project_id == task.project_id)
                .order_by(TaskList.sort_order, TaskList.id)
            ).all()
        )
        # the people who may be assigned and those who are, in one query
        candidate = and_(
            User.is_active,
            or_(
                User.company_id == task.company_id,
                User.id.in_(  # type: ignore[union-attr]
                    select(PortalManager.user_id).where(
                        PortalManager.company_id.in_(company_ids)  # type: ignore[attr-defined]
                    )
                ),
                User.id == project.lead_id,
            ),
        )
        rows = session.exec(
            select(User, is_assigned, candidate)
            .where(or_(candidate, is_assigned))
            .order_by(User.name, User.id)
            .limit(300)
        ).all()
        people = [u for u, _, ok in rows if ok]
        assignees = [u for u, assigned, _ in rows if assigned]
    else:
        assignees = list(
            session.exec(
                select(User).where(is_assigned).order_by(User.name, User.id).limit(300)
            ).all()
        )
    return TaskDetail(
        task=task,
        project=project,
        task_list=task_list,
        assignees=assignees,
        comments=comments,
        requested_by=requested_by,
        lists=lists,
        people=people,
        can_change=can_change,
        can_delete=can_delete_tasks(actor),
        today=date.today(),
    )


@dataclass(frozen=True)
class ProjectProgress:
    total: int
    done: int
    counts: dict[str, int]
    overdue: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def project_progress(
    session: Session, *, actor: Actor, project_ids: Iterable[int]
) -> dict[int, ProjectProgress]:
    """Task counts per status (and overdue ones) for each project, in one grouped query."""
    ids = sorted(set(project_ids))
    if not ids:
        return {}
    late = case(
        (and_(Task.due_date < date.today(), Task.status != "complete"), 1),  # type: ignore[operator]
        else_=0,
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TASK_STATUSES, 0))
    overdue: dict[int, int] = defaultdict(int)
    for project_id, status, n, n_late in session.exec(
        visible(select(Task.project_id, Task.status, func.count(), func.sum(late)), actor)
        .where(Task.project_id.in_(ids))  # type: ignore[attr-defined]
        .group_by(Task.project_id, Task.status)
    ).all():
        counts[project_id][status] = int(n)
        overdue[project_id] += int(n_late or 0)
    return {
        pid: ProjectProgress(
            total=sum(counts[pid].values()),
            done=counts[pid]["complete"],
            counts=dict(counts[pid]),
            overdue=overdue[pid],
        )
        for pid in ids
    }


def upcoming(
    session: Session,
    *,
    actor: Actor,
    company_ids: Iterable[int],
    days: int = 14,
    milestone_limit: int = 5,
    due_limit: int = 8,
) -> tuple[list[tuple[Task, str]], list[tuple[Task, str]]]:
    """(milestones, due tasks): open milestones from ``days`` ago on, and open tasks overdue or
    due within ``days``; soonest first. One query (a union of the two limited id lists)."""
    today = date.today()
    base = visible(select(Task.id), actor).where(
        Task.company_id.in_(sorted(company_ids)),  # type: ignore[attr-defined]
        Task.status != "complete",
        Task.due_date.is_not(None),  # type: ignore[union-attr]
    )
    milestones = (
        base.where(Task.is_milestone, Task.due_date >= today - timedelta(days=days))  # type: ignore[operator]
        .order_by(Task.due_date, Task.id)
        .limit(milestone_limit)
        .subquery()
    )
    due = (
        base.where(Task.is_milestone == false(), Task.due_date <= today + timedelta(days=days))  # type: ignore[operator]
        .order_by(Task.due_date, Task.id)
        .limit(due_limit)
        .subquery()
    )
    wanted = union_all(select(milestones.c.id), select(due.c.id))
    rows = session.exec(
        select(Task, Project.name)
        .join(Project, Project.id == Task.project_id)
        .where(Task.id.in_(wanted))  # type: ignore[union-attr]
        .order_by(Task.due_date, Task.id)
    ).all()
    return (
        [(t, name) for t, name in rows if t.is_milestone],
        [(t, name) for t, name in rows if not t.is_milestone],
    )


def project_tasks(session: Session, *, actor: Actor, project_id: Any) -> list[TaskCard]:
    """A project's tasks (private ones only for staff) with assignees, board order."""
    project = get_project(session, actor=actor, project_id=project_id)
    rows = session.exec(
        _tasks_with_comment_count(actor)
        .where(Task.project_id == project.id)
        .order_by(Task.status, Task.sort_order, Task.id)
        .limit(1000)
    ).all()
    return _cards(session, list(rows))


@dataclass
class ListWithTasks:
    task_list: TaskList | None  # None: the tasks on no list (client requests, mostly)
    cards: list[TaskCard]


def company_task_lists(
    session: Session, *, actor: Actor, company_id: int, limit: int, offset: int
) -> tuple[list[ListWithTasks], int]:
    """A company's task lists with their tasks (reference 003), paged by list.

    Tasks on no list come last, as one list without an id.
    """
    lists_stmt = scoped(select(TaskList), actor, TaskList).where(TaskList.company_id == company_id)
    n_lists = int(session.exec(select(func.count()).select_from(lists_stmt.subquery())).one())
    unlisted = session.exec(
        visible(select(Task.id), actor)
        .where(Task.company_id == company_id, Task.list_id.is_(None))  # type: ignore[union-attr]
        .limit(1)
    ).first()
    total = n_lists + (1 if unlisted else 0)
    lists = list(
        session.exec(
            lists_stmt.order_by(TaskList.project_id, TaskList.sort_order, TaskList.id)
            .limit(limit)
            .offset(offset)
        ).all()
    )
    with_unlisted = bool(unlisted) and offset + limit > n_lists
    ids = [tl.id for tl in lists]
    cond = Task.list_id.in_(ids)  # type: ignore[union-attr]
    if with_unlisted:
        cond = cond | Task.list_id.is_(None)  # type: ignore[union-attr]
    rows = session.exec(
        _tasks_with_comment_count(actor)
        .where(Task.company_id == company_id, cond)
        .order_by(Task.sort_order, Task.id)
        .limit(5000)
    ).all()
    by_list: dict[int | None, list[TaskCard]] = defaultdict(list)
    for c in _cards(session, list(rows)):
        by_list[c.task.list_id].append(c)
    out = [ListWithTasks(tl, by_list.get(tl.id, [])) for tl in lists]
    if with_unlisted:
        out.append(ListWithTasks(None, by_list.get(None, [])))
    return out, total
