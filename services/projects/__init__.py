"""Projects: the list, the project page (goals, members, decisions, summary, roadmap), and
the writes staff and client admins make there. Every read is a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import and_, case, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import (
    Company,
    Decision,
    GoalStatus,
    Project,
    ProjectGoal,
    ProjectMember,
    ProjectSummary,
    Roadmap,
    RoadmapItem,
    RoadmapStatus,
    User,
)
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.tenancy import Actor, scoped
from services.events import activity

PROJECT_STATUSES: tuple[str, ...] = ("active", "on_hold", "completed")
PAGE_SIZE = 20
DECISIONS_SHOWN = 100


@dataclass(frozen=True)
class Progress:
    """How far a project is: finished steps out of all steps."""

    done: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


# Progress ------------------------------------------------------------------------------------


def project_progress(session: Session, *, project_ids: Iterable[int]) -> dict[int, Progress]:
    """Progress per project, counted over its goals and roadmap items (done / all), in one query.

    This is the single definition of "progress": switch it to task counts here once tasks exist.
    """
    ids = sorted(set(project_ids))
    if not ids:
        return {}
    goals = select(
        ProjectGoal.project_id.label("project_id"),  # type: ignore[attr-defined]
        case((ProjectGoal.status == GoalStatus.done.value, 1), else_=0).label("done"),
    ).where(ProjectGoal.project_id.in_(ids))  # type: ignore[attr-defined]
    items = (
        select(
            Roadmap.project_id.label("project_id"),  # type: ignore[attr-defined]
            case((RoadmapItem.status == RoadmapStatus.done.value, 1), else_=0).label("done"),
        )
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .where(Roadmap.project_id.in_(ids))  # type: ignore[attr-defined]
    )
    steps = union_all(goals, items).subquery()
    rows = session.exec(
        select(steps.c.project_id, func.sum(steps.c.done), func.count()).group_by(
            steps.c.project_id
        )
    ).all()
    return {pid: Progress(done=int(done or 0), total=int(total)) for pid, done, total in rows}


def progress_from(goals: Iterable[ProjectGoal], items: Iterable[RoadmapItem]) -> Progress:
    """The same definition as :func:`project_progress`, over rows already loaded."""
    steps = [g.status == GoalStatus.done for g in goals] + [
        i.status == RoadmapStatus.done for i in items
    ]
    return Progress(done=sum(steps), total=len(steps))


# The list ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRow:
    project: Project
    company_name: str
    lead: User | None
    progress: Progress


@dataclass(frozen=True)
class ProjectList:
    rows: list[ProjectRow]
    status: str
    query: str
    counts: dict[str, int]
    total: int
    page: int
    pages: int


def list_projects(
    session: Session,
    *,
    actor: Actor,
    company_ids: list[int],
    status: str = "",
    query: str = "",
    page: int = 1,
) -> ProjectList:
    """Projects of the portal's group (the actor's tenancy applies), by status and name."""
    status = status if status in PROJECT_STATUSES else ""
    query = query.strip()[:100]
    lead = aliased(User)
    matches = Project.company_id.in_(company_ids)  # type: ignore[attr-defined]
    if query:
        matches = and_(matches, func.lower(Project.name).contains(query.lower(), autoescape=True))
    base = scoped(select(Project.status, func.count()), actor, Project).where(matches)
    counts = {s: int(n) for s, n in session.exec(base.group_by(Project.status)).all()}
    total = counts.get(status, 0) if status else sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    stmt = (
        scoped(select(Project, Company.name, lead), actor, Project)
        .join(Company, Company.id == Project.company_id)
        .outerjoin(lead, lead.id == Project.lead_id)
        .where(matches)
    )
    if status:
        stmt = stmt.where(Project.status == status)
    # active work first, then by due date (undated last), then name
    stmt = stmt.order_by(
        case((Project.status == "active", 0), (Project.status == "on_hold", 1), else_=2),
        Project.due_date.is_(None),  # type: ignore[union-attr]
        Project.due_date,
        Project.name,
    )
    rows = session.exec(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    progress = project_progress(session, project_ids=[p.id for p, _, _ in rows])  # type: ignore[misc]
    return ProjectList(
        rows=[
            ProjectRow(p, name, user, progress.get(p.id, Progress()))  # type: ignore[arg-type]
            for p, name, user in rows
        ],
        status=status,
        query=query,
        counts=counts,
        total=total,
        page=page,
        pages=pages,
    )


# The project page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectDetail:
    project: Project
    company_name: str
    lead: User | None
    goals: list[ProjectGoal]
    members: list[tuple[ProjectMember, User]]
    decisions: list[tuple[Decision, User | None]]
    summary: ProjectSummary | None
    roadmap: Roadmap | None
    items: list[RoadmapItem]
    progress: Progress
    items_by_status: dict[str, list[RoadmapItem]] = field(default_factory=dict)

    @property
    def people(self) -> list[User]:
        """Lead and members, once each: who can be named as having decided something."""
        seen: dict[int, User] = {}
        for user in [self.lead, *[u for _, u in self.members]]:
            if user is not None and user.id not in seen:
                seen[user.id] = user  # type: ignore[index]
        return list(seen.values())


def load_project(
    session: Session, *, actor: Actor, project_id: object, company_ids: list[int]
) -> tuple[Project, str, User | None]:
    """One project of the portal's group with its company name and lead, or NotFound."""
    try:
        pk = int(project_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise NotFound() from None
    lead = aliased(User)
    row = session.exec(
        scoped(select(Project, Company.name, lead), actor, Project)
        .join(Company, Company.id == Project.company_id)
        .outerjoin(lead, lead.id == Project.lead_id)
        .where(Project.id == pk, Project.company_id.in_(company_ids))  # type: ignore[attr-defined]
    ).first()
    if row is None:
        raise NotFound()
    return row[0], row[1], row[2]


def project_detail(
    session: Session, *, actor: Actor, project_id: object, company_ids: list[int]
) -> ProjectDetail:
    """Everything the project page shows, in four queries whatever the project's size."""
    try:
        pk = int(project_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise NotFound() from None
    lead = aliased(User)
    newest_summary = (
        select(func.max(ProjectSummary.id))
        .where(ProjectSummary.project_id == Project.id)
        .correlate(Project)
        .scalar_subquery()
    )
    # the project, its lead, its current summary and its goals (one row per goal)
    rows = session.exec(
        scoped(select(Project, Company.name, lead, ProjectSummary, ProjectGoal), actor, Project)
        .join(Company, Company.id == Project.company_id)
        .outerjoin(lead, lead.id == Project.lead_id)
        .outerjoin(ProjectSummary, ProjectSummary.id == newest_summary)
        .outerjoin(ProjectGoal, ProjectGoal.project_id == Project.id)
        .where(Project.id == pk, Project.company_id.in_(company_ids))  # type: ignore[attr-defined]
        .order_by(
            case((ProjectGoal.status == GoalStatus.done.value, 1), else_=0),
            ProjectGoal.due_date.is_(None),  # type: ignore[union-attr]
            ProjectGoal.due_date,
            ProjectGoal.id,
        )
    ).all()
    if not rows:
        raise NotFound()
    project, company_name, lead_user, summary, _ = rows[0]
    goals = [goal for *_, goal in rows if goal is not None]
    members = session.exec(
        scoped(select(ProjectMember, User), actor, ProjectMember)
        .join(User, User.id == ProjectMember.user_id)
        .where(ProjectMember.project_id == project.id)
        .order_by(User.is_staff.desc(), User.name)  # type: ignore[attr-defined]
    ).all()
    decisions = decisions_for(session, actor=actor, project_id=project.id, limit=DECISIONS_SHOWN)  # type: ignore[arg-type]
    roadmap, items = roadmap_for(session, actor=actor, project_id=project.id)  # type: ignore[arg-type]
    by_status: dict[str, list[RoadmapItem]] = {s.value: [] for s in RoadmapStatus}
    for item in items:
        by_status.setdefault(item.status, []).append(item)
    return ProjectDetail(
        project=project,
        company_name=company_name,
        lead=lead_user,
        goals=goals,
        members=[(m, u) for m, u in members],
        decisions=decisions,
        summary=summary,
        roadmap=roadmap,
        items=items,
        progress=progress_from(goals, items),
        items_by_status=by_status,
    )


def decisions_for(
    session: Session, *, actor: Actor, project_id: int, limit: int | None = None
) -> list[tuple[Decision, User | None]]:
    """A project's decisions, newest first, each with the person who decided."""
    decider = aliased(User)
    stmt = (
        scoped(select(Decision, decider), actor, Decision)
        .outerjoin(decider, decider.id == Decision.decided_by_id)
        .where(Decision.project_id == project_id)
        .order_by(Decision.decided_at.desc(), Decision.id.desc())  # type: ignore[attr-defined]
    )
    if limit:
        stmt = stmt.limit(limit)
    return [(d, u) for d, u in session.exec(stmt).all()]


def latest_summary(session: Session, *, actor: Actor, project_id: int) -> ProjectSummary | None:
    return session.exec(
        scoped(select(ProjectSummary), actor, ProjectSummary)
        .where(ProjectSummary.project_id == project_id)
        .order_by(ProjectSummary.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()


def roadmap_for(
    session: Session, *, actor: Actor, project_id: int
) -> tuple[Roadmap | None, list[RoadmapItem]]:
    """The project's roadmap and its items in order (one query)."""
    rows = session.exec(
        scoped(select(Roadmap, RoadmapItem), actor, Roadmap)
        .outerjoin(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
        .where(Roadmap.project_id == project_id)
        .order_by(RoadmapItem.sort_order, RoadmapItem.id)
    ).all()
    if not rows:
        return None, []
    return rows[0][0], [item for _, item in rows if item is not None]


# Writes --------------------------------------------------------------------------------------


def can_edit_plan(actor: Actor) -> bool:
    """Staff holding ``project.update`` and client admins record goals and decisions."""
    if actor.is_staff:
        return actor.can("project.update")
    return actor.can("portal.manage")


def require_editor(actor: Actor) -> None:
    if not can_edit_plan(actor):
        raise Forbidden("Only your project team and company admins can change the plan.")


def _parse_date(raw: str, field_name: str, errors: dict[str, list[str]]) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.setdefault(field_name, []).append("Use a date like 2026-03-31.")
        return None


def add_decision(
    session: Session,
    *,
    actor: Actor,
    project_id: object,
    company_ids: list[int],
    title: str,
    detail: str = "",
    decided_by_id: object = None,
    decided_on: str = "",
) -> Decision:
    """Log a decision: what was decided, by whom (lead, a member, or the author) and when."""
    require_editor(actor)
    project, _, _ = load_project(
        session, actor=actor, project_id=project_id, company_ids=company_ids
    )
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    detail = (detail or "").strip()
    if not title:
        errors["title"] = ["Say what was decided."]
    elif len(title) > 200:
        errors["title"] = ["Keep the decision under 200 characters; add the rest as detail."]
    if len(detail) > 5000:
        errors["detail"] = ["The detail is too long (5,000 characters at most)."]
    decider_id = _decider(session, actor=actor, project=project, raw=decided_by_id, errors=errors)
    day = _parse_date(decided_on, "decided_on", errors)
    if day is not None and day > date.today():
        errors.setdefault("decided_on", []).append("A decision can't be dated in the future.")
    if errors:
        raise Invalid(errors=errors)
    decided_at = utcnow()
    if day is not None and day != decided_at.date():
        decided_at = datetime.combine(day, time(12, 0), tzinfo=UTC)
    decision = Decision(
        company_id=project.company_id,
        project_id=project.id,  # type: ignore[arg-type]
        title=title,
        detail=detail,
        decided_by_id=decider_id,
        decided_at=decided_at,
        created_by_id=actor.user_id,
    )
    session.add(decision)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=project.company_id,
        action=Action.decision_logged,
        object_type="decision",
        object_id=decision.id,
        object_label=title,
        description=f"{actor.label} logged a decision on {project.name}: {title}",
    )
    return decision


def _decider(
    session: Session, *, actor: Actor, project: Project, raw: object, errors: dict[str, list[str]]
) -> int | None:
    if raw in (None, ""):
        return actor.user_id
    try:
        uid = int(raw)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        errors["decided_by_id"] = ["Choose who decided."]
        return None
    allowed = {project.lead_id, actor.user_id}
    allowed |= set(
        session.exec(
            select(ProjectMember.user_id).where(ProjectMember.project_id == project.id)
        ).all()
    )
    if uid not in allowed:
        errors["decided_by_id"] = ["Choose someone on the project."]
        return None
    return uid


def add_goal(
    session: Session,
    *,
    actor: Actor,
    project_id: object,
    company_ids: list[int],
    title: str,
    target: str = "",
    status: str = GoalStatus.on_track.value,
    due_on: str = "",
) -> ProjectGoal:
    """Add a goal to a project."""
    require_editor(actor)
    project, _, _ = load_project(
        session, actor=actor, project_id=project_id, company_ids=company_ids
    )
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    target = (target or "").strip()
    if not title:
        errors["title"] = ["Name the goal."]
    elif len(title) > 200:
        errors["title"] = ["Keep the goal under 200 characters."]
    if len(target) > 300:
        errors["target"] = ["Keep the target under 300 characters."]
    if status not in {s.value for s in GoalStatus}:
        errors["status"] = ["Choose on track, at risk or done."]
    due = _parse_date(due_on, "due_on", errors)
    if errors:
        raise Invalid(errors=errors)
    goal = ProjectGoal(
        company_id=project.company_id,
        project_id=project.id,  # type: ignore[arg-type]
        title=title,
        target=target,
        status=status,
        due_date=due,
    )
    session.add(goal)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=project.company_id,
        action=Action.goal_created,
        object_type="goal",
        object_id=goal.id,
        object_label=title,
        description=f"{actor.label} added the goal “{title}” to {project.name}",
    )
    return goal


def set_goal_status(
    session: Session,
    *,
    actor: Actor,
    project_id: object,
    goal_id: object,
    company_ids: list[int],
    status: str,
) -> ProjectGoal:
    """Move a goal of a project to on track, at risk or done."""
    require_editor(actor)
    try:
        pk, project_pk = int(goal_id), int(project_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise NotFound() from None
    goal = session.exec(
        scoped(select(ProjectGoal), actor, ProjectGoal).where(
            ProjectGoal.id == pk,
            ProjectGoal.project_id == project_pk,
            ProjectGoal.company_id.in_(company_ids),  # type: ignore[attr-defined]
        )
    ).first()
    if goal is None:
        raise NotFound()
    if status not in {s.value for s in GoalStatus}:
        raise Invalid(errors={"status": ["Choose on track, at risk or done."]})
    if goal.status != status:
        goal.status = status
        session.add(goal)
        session.flush()
        activity.record(
            session,
            actor=actor,
            company_id=goal.company_id,
            action=Action.goal_completed if status == GoalStatus.done else Action.goal_updated,
            object_type="goal",
            object_id=goal.id,
            object_label=goal.title,
            description=f"{actor.label} marked “{goal.title}” {status.replace('_', ' ')}",
        )
    return goal
