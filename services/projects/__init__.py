"""Projects: the list, the project page (goals, members, decisions, summary, roadmap), and
the writes staff and client admins make there. Every read is a fixed number of queries.

Callers pass the actor (inside a portal: the visitor narrowed to the portal's group), so
``scoped()`` / ``get_for_actor()`` answer both "may see" and "is in this portal".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from sqlalchemy import case
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import (
    ClientRole,
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
from portal.models.planning import DecisionCreate, GoalCreate
from portal.tenancy import Actor, get_for_actor, role_at_least, scoped, staff_can
from portal.web.pagination import Page, paginate
from services.events import activity
from services.projects.progress import ProjectProgress, project_progress

PROJECT_STATUSES: tuple[str, ...] = ("active", "on_hold", "completed")
PAGE_SIZE = 20
DECISIONS_SHOWN = 100


# The list ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRow:
    project: Project
    company_name: str
    lead: User | None
    progress: ProjectProgress


@dataclass(frozen=True)
class ProjectList:
    rows: Page[ProjectRow]
    status: str
    query: str
    counts: dict[str, int]


def list_projects(
    session: Session, *, actor: Actor, status: str = "", query: str = "", page: int = 1
) -> ProjectList:
    """The projects the actor sees (a portal's group), by status and name, a page at a time."""
    status = status if status in PROJECT_STATUSES else ""
    query = query.strip()[:100]
    lead = aliased(User)
    matches = (
        [func.lower(col(Project.name)).contains(query.lower(), autoescape=True)] if query else []
    )
    counted = scoped(select(col(Project.status), func.count()), actor, Project).where(*matches)
    counts = {s: int(n) for s, n in session.exec(counted.group_by(col(Project.status))).all()}
    stmt = (
        scoped(select(Project, col(Company.name), lead), actor, Project)
        .join(Company, col(Company.id) == Project.company_id)
        .outerjoin(lead, col(lead.id) == Project.lead_id)
        .where(*matches)
    )
    if status:
        stmt = stmt.where(col(Project.status) == status)
    # active work first, then by due date (undated last), then name
    stmt = stmt.order_by(
        case((col(Project.status) == "active", 0), (col(Project.status) == "on_hold", 1), else_=2),
        col(Project.due_date).is_(None),
        col(Project.due_date),
        col(Project.name),
    )
    total = counts.get(status, 0) if status else sum(counts.values())
    rows = paginate(session, stmt, page=page, per_page=PAGE_SIZE, scalars=False, total=total)
    progress = project_progress(session, actor=actor, project_ids=[p.id for p, _, _ in rows])
    return ProjectList(
        rows=rows.map(
            lambda r: ProjectRow(r[0], r[1], r[2], progress.get(r[0].id, ProjectProgress()))
        ),
        status=status,
        query=query,
        counts=counts,
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
    progress: ProjectProgress
    items_by_status: dict[str, list[RoadmapItem]] = field(default_factory=dict)
    can_edit: bool = False  # the actor may change the plan here (and the portal is writable)

    @property
    def people(self) -> list[User]:
        """Lead and members, once each: who can be named as having decided something."""
        seen: dict[int | None, User] = {}
        for user in [self.lead, *[u for _, u in self.members]]:
            if user is not None and user.id not in seen:
                seen[user.id] = user
        return list(seen.values())


def project_detail(
    session: Session,
    *,
    actor: Actor,
    project_id: int,
    read_only: bool = False,
    for_editor: bool = False,
) -> ProjectDetail:
    """Everything the project page shows, in four queries whatever the project's size.

    ``read_only`` (an archived portal) hides the forms; ``for_editor`` refuses anyone who may
    not change the plan (a refused form answers 403 before any 422).
    """
    if for_editor:
        require_editor(actor)
    lead = aliased(User)
    newest_summary = (
        select(func.max(ProjectSummary.id))
        .where(col(ProjectSummary.project_id) == Project.id)
        .correlate(Project)
        .scalar_subquery()
    )
    # the project, its lead, its current summary and its goals (one row per goal)
    rows = session.execute(
        scoped(
            sa_select(Project, col(Company.name), lead, ProjectSummary, ProjectGoal), actor, Project
        )
        .join(Company, col(Company.id) == Project.company_id)
        .outerjoin(lead, col(lead.id) == Project.lead_id)
        .outerjoin(ProjectSummary, col(ProjectSummary.id) == newest_summary)
        .outerjoin(ProjectGoal, col(ProjectGoal.project_id) == Project.id)
        .where(col(Project.id) == project_id)
        .order_by(
            case((col(ProjectGoal.status) == GoalStatus.done.value, 1), else_=0),
            col(ProjectGoal.due_date).is_(None),
            col(ProjectGoal.due_date),
            col(ProjectGoal.id),
        )
    ).all()
    if not rows:
        raise NotFound()
    project, company_name, lead_user, summary, _ = rows[0]
    goals = [row[4] for row in rows if row[4] is not None]
    members = session.exec(
        scoped(select(ProjectMember, User), actor, ProjectMember)
        .join(User, col(User.id) == ProjectMember.user_id)
        .where(col(ProjectMember.project_id) == project_id)
        .order_by(col(User.is_staff).desc(), col(User.name))
    ).all()
    decisions = _decisions(session, actor=actor, project_id=project_id, limit=DECISIONS_SHOWN)
    roadmap, items = _roadmap(session, actor=actor, project_id=project_id)
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
        progress=project_progress(session, actor=actor, project_ids=[project_id])[project_id],
        items_by_status=by_status,
        can_edit=not read_only and can_edit_plan(actor),
    )


def project_decisions(
    session: Session, *, actor: Actor, project_id: int, limit: int | None = None
) -> list[tuple[Decision, User | None]]:
    """A project's decisions, newest first, each with the person who decided."""
    get_for_actor(session, Project, project_id, actor)
    return _decisions(session, actor=actor, project_id=project_id, limit=limit)


def project_roadmap(
    session: Session, *, actor: Actor, project_id: int
) -> tuple[Roadmap | None, list[RoadmapItem]]:
    """The roadmap linked to a project, if any, and its items in order."""
    get_for_actor(session, Project, project_id, actor)
    return _roadmap(session, actor=actor, project_id=project_id)


def _decisions(
    session: Session, *, actor: Actor, project_id: int, limit: int | None
) -> list[tuple[Decision, User | None]]:
    decider = aliased(User)
    stmt = (
        scoped(select(Decision, decider), actor, Decision)
        .outerjoin(decider, col(decider.id) == Decision.decided_by_id)
        .where(col(Decision.project_id) == project_id)
        .order_by(col(Decision.decided_at).desc(), col(Decision.id).desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return [(d, u) for d, u in session.exec(stmt).all()]


def _roadmap(
    session: Session, *, actor: Actor, project_id: int
) -> tuple[Roadmap | None, list[RoadmapItem]]:
    rows = session.exec(
        scoped(select(Roadmap, RoadmapItem), actor, Roadmap)
        .outerjoin(RoadmapItem, col(RoadmapItem.roadmap_id) == Roadmap.id)
        .where(col(Roadmap.project_id) == project_id)
        .order_by(col(RoadmapItem.sort_order), col(RoadmapItem.id))
    ).all()
    if not rows:
        return None, []
    return rows[0][0], [item for _, item in rows if item is not None]


# Writes --------------------------------------------------------------------------------------


def can_edit_plan(actor: Actor) -> bool:
    """Staff holding ``project.update`` (or an agency key) and client admins change the plan."""
    if actor.is_staff:
        return staff_can(actor, "project.update")
    return role_at_least(actor, ClientRole.admin)


def require_editor(actor: Actor) -> None:
    if not can_edit_plan(actor):
        raise Forbidden("Only your project team and company admins can change the plan.")


def editable_project(session: Session, *, actor: Actor, project_id: int) -> Project:
    """The project, if the actor may change its plan: 403 for others, 404 if it isn't theirs."""
    require_editor(actor)
    return get_for_actor(session, Project, project_id, actor)


def decision_errors(
    session: Session, *, actor: Actor, project_id: int, decided_by_id: int | None
) -> dict[str, list[str]]:
    """What is wrong with naming ``decided_by_id`` as the decider (empty when nothing is).

    The edge calls it when a decision form failed its own checks too, so one 422 names
    every problem (and a refused editor or a foreign project still answers 403 / 404 first).
    """
    project = editable_project(session, actor=actor, project_id=project_id)
    return _decider_errors(session, actor=actor, project=project, decided_by_id=decided_by_id)


def _decider_errors(
    session: Session, *, actor: Actor, project: Project, decided_by_id: int | None
) -> dict[str, list[str]]:
    if decided_by_id is None or decided_by_id in {project.lead_id, actor.user_id}:
        return {}
    member = session.exec(
        select(ProjectMember.id).where(
            col(ProjectMember.project_id) == project.id,
            col(ProjectMember.user_id) == decided_by_id,
        )
    ).first()
    return {} if member is not None else {"decided_by_id": ["Choose someone on the project."]}


def add_decision(
    session: Session, *, actor: Actor, project_id: int, data: DecisionCreate
) -> Decision:
    """Log a decision: what was decided, by whom (lead, a member, or the author) and when."""
    project = editable_project(session, actor=actor, project_id=project_id)
    errors = _decider_errors(
        session, actor=actor, project=project, decided_by_id=data.decided_by_id
    )
    if errors:
        raise Invalid(errors=errors)
    decided_at = utcnow()
    if data.decided_on is not None and data.decided_on != decided_at.date():
        decided_at = datetime.combine(data.decided_on, time(12, 0), tzinfo=UTC)
    decision = Decision(
        company_id=project.company_id,
        project_id=project_id,
        title=data.title,
        detail=data.detail,
        decided_by_id=data.decided_by_id or actor.user_id,
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
        object_label=data.title,
        description=f"{actor.label} logged a decision on {project.name}: {data.title}",
    )
    return decision


def add_goal(session: Session, *, actor: Actor, project_id: int, data: GoalCreate) -> ProjectGoal:
    """Add a goal to a project."""
    project = editable_project(session, actor=actor, project_id=project_id)
    goal = ProjectGoal(
        company_id=project.company_id,
        project_id=project_id,
        title=data.title,
        target=data.target,
        status=data.status.value,
        due_date=data.due_on,
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
        object_label=data.title,
        description=f"{actor.label} added the goal “{data.title}” to {project.name}",
    )
    return goal


def set_goal_status(
    session: Session, *, actor: Actor, project_id: int, goal_id: int, status: GoalStatus
) -> ProjectGoal:
    """Move a goal of a project to on track, at risk or done."""
    require_editor(actor)
    goal = get_for_actor(session, ProjectGoal, goal_id, actor)
    if goal.project_id != project_id:  # reached through another project: not there
        raise NotFound()
    if goal.status != status:
        goal.status = status.value
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
            description=f"{actor.label} marked “{goal.title}” {status.value.replace('_', ' ')}",
        )
    return goal


def company_projects(session: Session, *, actor: Actor, company_id: int) -> list[Project]:
    """One company's projects the actor may see, by name: the picker of the forms that link
    something (a deliverable, an invoice) to a project."""
    return list(
        session.exec(
            scoped(select(Project), actor, Project)
            .where(Project.company_id == company_id)
            .order_by(col(Project.name))
            .limit(200)
        ).all()
    )
