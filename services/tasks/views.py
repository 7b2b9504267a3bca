"""What the tasks pages show (board, list, calendar, one task), in a fixed number of queries."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, exists, false, or_, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import Select

from portal.errors import NotFound
from portal.models import PortalManager, Project, Task, TaskAssignee, TaskComment, TaskList, User
from portal.models.task import TASK_STATUSES, TaskFilters
from portal.tenancy import Actor, first_ids_per_company, scoped
from services.portals.admin import get_portal
from services.tasks import STATUS_LABELS, can_change_tasks, can_delete_tasks, get_project
from services.tasks.attachments import TaskAttachments, task_attachments

DUE_FILTERS = {"overdue": "Overdue", "week": "Due this week", "none": "No due date"}


S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def _filtered(stmt: S, filters: TaskFilters, today: date) -> S:
    """``stmt`` over Task narrowed by the board's filters."""
    if filters.priority:
        stmt = stmt.where(col(Task.priority) == filters.priority)
    due = col(Task.due_date)
    if filters.due == "overdue":
        stmt = stmt.where(due < today, col(Task.status) != "complete")
    elif filters.due == "week":
        stmt = stmt.where(due >= today, due <= today + timedelta(days=7))
    elif filters.due == "none":
        stmt = stmt.where(due.is_(None))
    if filters.assignee:
        stmt = stmt.where(
            col(Task.id).in_(
                select(TaskAssignee.task_id).where(TaskAssignee.user_id == filters.assignee)
            )
        )
    return stmt


@dataclass
class TaskCard:
    task: Task
    assignees: list[User] = field(default_factory=list)
    comment_count: int = 0

    @property
    def assignee_names(self) -> list[str]:
        return [u.display_name for u in self.assignees]

    @property
    def overdue(self) -> bool:
        t = self.task
        return bool(t.due_date and t.status != "complete" and t.due_date < date.today())


@dataclass
class Column:
    status: str
    label: str
    cards: list[TaskCard]
    total: int = 0  # the column's tasks (``cards`` shows the first ``shown`` of them)

    @property
    def hidden(self) -> int:
        return max(self.total - len(self.cards), 0)


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


def portal_projects(session: Session, *, actor: Actor) -> list[Project]:
    """The projects in the portal's project picker (the actor is narrowed to the portal):
    active first, then by name."""
    rows = session.exec(
        scoped(select(Project), actor, Project)
        .order_by(col(Project.status) != "active", col(Project.name))
        .limit(100)
    ).all()
    return list(rows)


def _tasks_with_comment_count(actor: Actor) -> Select[Task, int]:
    """``select(Task, comment count)`` over the tasks the actor may see."""
    count = (
        select(func.count(col(TaskComment.id)))
        .where(TaskComment.task_id == Task.id)
        .correlate(Task)
        .scalar_subquery()
    )
    return scoped(select(Task, count), actor, Task)


def _assignees(session: Session, stmt: Select[int, User]) -> dict[int, list[User]]:
    assigned: dict[int, list[User]] = defaultdict(list)
    for task_id, user in session.exec(stmt.order_by(col(User.name), col(User.id))).all():
        assigned[task_id].append(user)
    return assigned


def _cards(
    session: Session,
    rows: Sequence[tuple[Task, int]],
    assigned: dict[int, list[User]] | None = None,
) -> list[TaskCard]:
    """Cards from (task, comment count) rows; assignees in one query unless given."""
    ids = [t.id for t, _ in rows if t.id is not None]
    if not ids:
        return []
    if assigned is None:
        assigned = _assignees(
            session,
            select(TaskAssignee.task_id, User)
            .join(User, col(User.id) == TaskAssignee.user_id)
            .where(col(TaskAssignee.task_id).in_(ids)),
        )
    return [
        TaskCard(task=t, assignees=assigned.get(t.id or 0, []), comment_count=int(n or 0))
        for t, n in rows
    ]


def tasks_view(session: Session, *, actor: Actor, filters: TaskFilters) -> TasksView:
    """The tasks tab: a project's board, list or calendar, filtered server-side.

    ``actor`` is narrowed to the portal; ``filters`` come parsed from the query string.
    """
    today = date.today()
    view = filters.view
    projects = portal_projects(session, actor=actor)
    if filters.project is not None:
        project = next((p for p in projects if p.id == filters.project), None)
        if project is None:
            raise NotFound()
    else:
        project = projects[0] if projects else None
    month = filters.month or today.replace(day=1)
    rows: list[tuple[Task, int]] = []
    sizes: dict[str, int] = {}  # board: each column's tasks in all
    lists: list[TaskList] = []
    people: list[User] = []
    assigned: dict[int, list[User]] = {}
    if project is not None:
        stmt = _tasks_with_comment_count(actor).where(col(Task.project_id) == project.id)
        if view == "calendar":
            first = month - timedelta(days=month.weekday())
            last = first + timedelta(days=41)
            stmt = stmt.where(col(Task.due_date) >= first, col(Task.due_date) <= last)
        stmt = _filtered(stmt, filters, today).order_by(col(Task.sort_order), col(Task.id))
        if view == "board":
            rows = _board_rows(actor, project.id, filters, today, stmt, session, sizes)
        else:
            rows = [(t, n) for t, n in session.exec(stmt.limit(500)).all()]
        if view == "list":
            lists = list(
                session.exec(
                    select(TaskList)
                    .where(TaskList.project_id == project.id)
                    .order_by(col(TaskList.sort_order), col(TaskList.id))
                ).all()
            )
        # every assignee on the project's visible tasks: the filter's people and the cards'
        assigned = _assignees(
            session,
            scoped(select(TaskAssignee.task_id, User), actor, Task)
            .join(Task, col(Task.id) == TaskAssignee.task_id)
            .join(User, col(User.id) == TaskAssignee.user_id)
            .where(col(Task.project_id) == project.id),
        )
        by_id = {u.id: u for users in assigned.values() for u in users}
        people = sorted(by_id.values(), key=lambda u: (u.display_name.lower(), u.id or 0))
    cards = _cards(session, rows, assigned)
    columns = [
        Column(
            status=s,
            label=STATUS_LABELS[s],
            cards=[c for c in cards if c.task.status == s],
            total=sizes.get(s, 0),
        )
        for s in TASK_STATUSES
    ]
    return TasksView(
        view=view,
        projects=projects,
        project=project,
        filters=filters,
        people=people,
        columns=columns,
        groups=_list_groups(cards, lists) if view == "list" else [],
        weeks=_calendar(cards, month) if view == "calendar" else [],
        month=month,
        total=sum(sizes.values()) if view == "board" else len(cards),
        can_change=can_change_tasks(actor),
        can_delete=can_delete_tasks(actor),
        today=today,
    )


def _board_rows(
    actor: Actor,
    project_id: int | None,
    filters: TaskFilters,
    today: date,
    stmt: Select[Task, int],
    session: Session,
    sizes: dict[str, int],
) -> list[tuple[Task, int]]:
    """The first ``filters.cards`` cards of each column (one query); ``sizes`` gets each
    column's count. A board of thousands of cards renders a bounded page."""
    status = col(Task.status)
    ranked = _filtered(
        scoped(
            select(
                col(Task.id).label("id"),
                func.row_number()
                .over(partition_by=status, order_by=(col(Task.sort_order), col(Task.id)))
                .label("rank"),
                func.count().over(partition_by=status).label("of"),
            ),
            actor,
            Task,
        ).where(col(Task.project_id) == project_id),
        filters,
        today,
    ).subquery()
    rows = session.execute(
        stmt.add_columns(ranked.c.of)
        .join(ranked, ranked.c.id == col(Task.id))
        .where(ranked.c.rank <= filters.cards)
    ).all()
    for t, _, of in rows:
        sizes[t.status] = int(of)
    return [(t, n) for t, n, _ in rows]


def _list_groups(cards: list[TaskCard], lists: list[TaskList]) -> list[ListGroup]:
    """Cards by task list (in the lists' order), each by column; cards on no list last."""
    by_list: dict[int | None, list[TaskCard]] = defaultdict(list)
    for c in cards:
        by_list[c.task.list_id].append(c)
    status_rank = {s: n for n, s in enumerate(TASK_STATUSES)}
    for bucket in by_list.values():
        bucket.sort(key=lambda c: (status_rank[c.task.status], c.task.sort_order, c.task.id or 0))
    groups = [ListGroup(tl, by_list[tl.id]) for tl in lists if by_list.get(tl.id)]
    known = {tl.id for tl in lists}
    orphans = [c for lid, bucket in by_list.items() if lid not in known for c in bucket]
    if orphans:
        groups.append(ListGroup(None, orphans))
    return groups


def _calendar(cards: list[TaskCard], month: date) -> list[list[CalendarDay]]:
    """The month's weeks (Monday first), each day with the cards due on it."""
    by_day: dict[date, list[TaskCard]] = defaultdict(list)
    for c in cards:
        if c.task.due_date:
            by_day[c.task.due_date].append(c)
    return [
        [CalendarDay(d, d.month == month.month, by_day.get(d, [])) for d in week]
        for week in calendar.Calendar().monthdatescalendar(month.year, month.month)
    ]


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
    attachments: TaskAttachments
    can_change: bool
    can_delete: bool
    today: date

    @property
    def overdue(self) -> bool:
        t = self.task
        return bool(t.due_date and t.status != "complete" and t.due_date < date.today())


def task_detail(session: Session, *, actor: Actor, task_id: int) -> TaskDetail:
    """One task with its project, list, requester, assignees, comments and attachments.

    Task, project, list and requester come in one query; the edit form's choices (lists,
    people) are only loaded for those who may edit. ``actor`` is narrowed to the portal, whose
    project managers are offered as assignees.
    """
    requester = aliased(User)
    row = session.exec(
        scoped(select(Task, Project, TaskList, requester), actor, Task)
        .join(Project, col(Project.id) == Task.project_id)
        .outerjoin(TaskList, col(TaskList.id) == Task.list_id)
        .outerjoin(requester, col(requester.id) == Task.requested_by_id)
        .where(Task.id == task_id)
    ).first()
    if row is None:
        raise NotFound()
    task, project, task_list, requested_by = row
    comments = list(
        session.exec(
            select(TaskComment)
            .where(TaskComment.task_id == task.id)
            .order_by(col(TaskComment.created_at), col(TaskComment.id))
            .limit(200)
        ).all()
    )
    can_change = can_change_tasks(actor)
    is_assigned = (
        exists()
        .where(col(TaskAssignee.task_id) == task.id, col(TaskAssignee.user_id) == User.id)
        .correlate(User)
    )
    lists: list[TaskList] = []
    people: list[User] = []
    if can_change:
        lists = list(
            session.exec(
                select(TaskList)
                .where(TaskList.project_id == task.project_id)
                .order_by(col(TaskList.sort_order), col(TaskList.id))
            ).all()
        )
        # the portal's managers: the companies the (narrowed) actor sees, else the task's own
        managed = sorted(actor.company_ids) if actor.company_ids is not None else [task.company_id]
        # the people who may be assigned and those who are, in one query
        candidate = and_(
            col(User.is_active),
            or_(
                col(User.company_id) == task.company_id,
                col(User.id).in_(
                    select(PortalManager.user_id).where(col(PortalManager.company_id).in_(managed))
                ),
                col(User.id) == project.lead_id,
            ),
        )
        rows = session.exec(
            select(User, is_assigned, candidate)
            .where(or_(candidate, is_assigned))
            .order_by(col(User.name), col(User.id))
            .limit(300)
        ).all()
        people = [u for u, _, ok in rows if ok]
        assignees = [u for u, assigned, _ in rows if assigned]
    else:
        assignees = list(
            session.exec(
                select(User).where(is_assigned).order_by(col(User.name), col(User.id)).limit(300)
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
        attachments=task_attachments(session, actor=actor, task=task),
        can_change=can_change,
        can_delete=can_delete_tasks(actor),
        today=date.today(),
    )


def upcoming(
    session: Session,
    *,
    actor: Actor,
    days: int = 14,
    milestone_limit: int = 5,
    due_limit: int = 8,
) -> tuple[list[tuple[Task, str]], list[tuple[Task, str]]]:
    """(milestones, due tasks) of the companies the actor sees (narrow it to a portal): open
    milestones from ``days`` ago on, and open tasks overdue or due within ``days``; soonest
    first. One query (a union of the two limited id lists, each read per company)."""
    today = date.today()
    due_date = col(Task.due_date)
    base = select(Task.id).where(Task.status != "complete", due_date.is_not(None))
    order = (due_date, col(Task.id))
    milestones = first_ids_per_company(
        base.where(col(Task.is_milestone), due_date >= today - timedelta(days=days)),
        actor,
        Task,
        order_by=order,
        limit=milestone_limit,
    )
    due = first_ids_per_company(
        base.where(Task.is_milestone == false(), due_date <= today + timedelta(days=days)),
        actor,
        Task,
        order_by=order,
        limit=due_limit,
    )
    wanted = union_all(select(milestones.subquery().c[0]), select(due.subquery().c[0]))
    rows = session.exec(
        select(Task, Project.name)
        .join(Project, col(Project.id) == Task.project_id)
        .where(col(Task.id).in_(wanted))
        .order_by(due_date, col(Task.id))
    ).all()
    # one group's companies each gave their first ones: keep the first of all
    return (
        [(t, name) for t, name in rows if t.is_milestone][:milestone_limit],
        [(t, name) for t, name in rows if not t.is_milestone][:due_limit],
    )


def project_tasks(
    session: Session, *, actor: Actor, project_id: int, limit: int = 100, offset: int = 0
) -> tuple[list[TaskCard], int]:
    """One page of a project's tasks (private ones only for staff) with assignees, in board
    order, and how many there are in all. Three statements whatever the page or project size."""
    project = get_project(session, actor=actor, project_id=project_id)
    in_project = col(Task.project_id) == project.id
    rows = session.exec(
        _tasks_with_comment_count(actor)
        .where(in_project)
        .order_by(col(Task.status), col(Task.sort_order), col(Task.id))
        .limit(limit)
        .offset(offset)
    ).all()
    total = session.exec(scoped(select(func.count(col(Task.id))), actor, Task).where(in_project))
    return _cards(session, [(t, n) for t, n in rows]), int(total.one())


@dataclass
class ListWithTasks:
    task_list: TaskList | None  # None: the tasks on no list (client requests, mostly)
    cards: list[TaskCard]
    total: int = 0  # the list's tasks in all (``cards`` is one page of them)


# A list's tasks in one API page: by default and at most (the rest: ``tasks_offset``).
TASKS_PER_LIST = 100
MAX_TASKS_PER_LIST = 500


def portal_task_lists(
    session: Session,
    *,
    actor: Actor,
    portal_id: int,
    limit: int,
    offset: int,
    tasks_limit: int = TASKS_PER_LIST,
    tasks_offset: int = 0,
) -> tuple[list[ListWithTasks], int]:
    """The portal's task lists with their tasks (reference 003), paged by list, and each
    list's tasks paged too (``tasks_limit`` from ``tasks_offset``, board order).

    Only the portal's own company (not its group); tasks on no list come last, as one list
    without an id.
    """
    company_id = get_portal(session, actor=actor, portal_id=portal_id).company_id
    lists_stmt = scoped(select(TaskList), actor, TaskList).where(TaskList.company_id == company_id)
    n_lists = int(session.exec(select(func.count()).select_from(lists_stmt.subquery())).one())
    unlisted = session.exec(
        scoped(select(Task.id), actor, Task)
        .where(Task.company_id == company_id, col(Task.list_id).is_(None))
        .limit(1)
    ).first()
    total = n_lists + (1 if unlisted else 0)
    lists = list(
        session.exec(
            lists_stmt.order_by(
                col(TaskList.project_id), col(TaskList.sort_order), col(TaskList.id)
            )
            .limit(limit)
            .offset(offset)
        ).all()
    )
    with_unlisted = bool(unlisted) and offset + limit > n_lists
    list_id = col(Task.list_id)
    cond: ColumnElement[bool] = list_id.in_([tl.id for tl in lists])
    if with_unlisted:
        cond = or_(cond, list_id.is_(None))
    tasks_limit = min(max(tasks_limit, 1), MAX_TASKS_PER_LIST)
    tasks_offset = max(tasks_offset, 0)
    ranked = (
        scoped(
            select(
                col(Task.id).label("id"),
                func.row_number()
                .over(partition_by=list_id, order_by=(col(Task.sort_order), col(Task.id)))
                .label("rank"),
                func.count().over(partition_by=list_id).label("of"),
            ),
            actor,
            Task,
        )
        .where(col(Task.company_id) == company_id, cond)
        .subquery()
    )
    rows = session.execute(
        _tasks_with_comment_count(actor)
        .add_columns(ranked.c.of)
        .join(ranked, ranked.c.id == col(Task.id))
        .where(ranked.c.rank > tasks_offset, ranked.c.rank <= tasks_offset + tasks_limit)
        .order_by(col(Task.sort_order), col(Task.id))
    ).all()
    sizes: dict[int | None, int] = {t.list_id: int(of) for t, _, of in rows}
    if tasks_offset > 0:  # lists paged past their end gave no row to read their size from
        sizes = {
            lid: int(n)
            for lid, n in session.exec(
                scoped(select(list_id, func.count()), actor, Task)
                .where(col(Task.company_id) == company_id, cond)
                .group_by(list_id)
            ).all()
        }
    by_list: dict[int | None, list[TaskCard]] = defaultdict(list)
    for c in _cards(session, [(t, n) for t, n, _ in rows]):
        by_list[c.task.list_id].append(c)
    out = [ListWithTasks(tl, by_list.get(tl.id, []), sizes.get(tl.id, 0)) for tl in lists]
    if with_unlisted:
        out.append(ListWithTasks(None, by_list.get(None, []), sizes.get(None, 0)))
    return out, total
