"""A project's summary (reference 000 ``aiSummary``): composed from the project's own data
(no LLM), or written by the team."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from portal.models import GoalStatus, ProjectSummary, RoadmapStatus, SummarySource
from portal.models.activity import Action
from portal.models.planning import SummaryCreate
from portal.tenancy import Actor
from services.events import activity
from services.projects import ProjectDetail, editable_project, project_detail


def compose_summary(detail: ProjectDetail, *, today: date | None = None) -> str:
    """A plain-language summary of where the project stands, from its own data (no LLM)."""
    today = today or date.today()
    p = detail.project
    # no progress figure here: a stored summary would go stale and differ from the Progress card
    # (the one live, labelled metric), and staff and clients may see different tasks
    parts: list[str] = [f"{p.name}:"]
    open_goals = [g for g in detail.goals if g.status != GoalStatus.done]
    at_risk = [g for g in open_goals if g.status == GoalStatus.at_risk]
    if open_goals:
        sentence = f"{len(open_goals)} goal{'s' if len(open_goals) != 1 else ''} open"
        if at_risk:
            names = ", ".join(f"“{g.title}”" for g in at_risk[:3])
            sentence += f", {len(at_risk)} at risk ({names})"
        else:
            sentence += ", all on track"
        parts.append(sentence + ".")
    doing = detail.items_by_status.get(RoadmapStatus.in_progress.value, [])
    planned = detail.items_by_status.get(RoadmapStatus.planned.value, [])
    if doing:
        parts.append("In progress: " + ", ".join(i.title for i in doing[:3]) + ".")
    if planned:
        parts.append(f"Next up: {planned[0].title}.")
    if detail.decisions:
        decision, decider = detail.decisions[0]
        who = f" by {decider.display_name}" if decider else ""
        parts.append(f"Latest decision ({decision.decided_at:%d %b}){who}: {decision.title}.")
    if p.due_date and p.status == "active":
        days = (p.due_date - today).days
        if days > 0:
            parts.append(f"Due {p.due_date:%d %b %Y}, {days} day{'s' if days != 1 else ''} away.")
        elif days == 0:
            parts.append("Due today.")
        else:
            parts.append(f"Was due {p.due_date:%d %b %Y}, {-days} days ago.")
    if len(parts) == 1:
        parts.append("no goals, roadmap or decisions yet.")
    return " ".join(parts)


def refresh_summary(session: Session, *, actor: Actor, project_id: int) -> ProjectSummary:
    """Regenerate the project's summary from its current goals, roadmap and decisions."""
    detail = project_detail(session, actor=actor, project_id=project_id, for_editor=True)
    summary = ProjectSummary(
        company_id=detail.project.company_id,
        project_id=project_id,
        body=compose_summary(detail),
        source=SummarySource.generated.value,
    )
    session.add(summary)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=detail.project.company_id,
        action=Action.summary_generated,
        object_type="project",
        object_id=project_id,
        object_label=detail.project.name,
        description=f"{actor.label} refreshed the summary of {detail.project.name}",
    )
    return summary


def write_summary(
    session: Session, *, actor: Actor, project_id: int, data: SummaryCreate
) -> ProjectSummary:
    """Replace the summary with one written by the team (``source="manual"``)."""
    project = editable_project(session, actor=actor, project_id=project_id)
    summary = ProjectSummary(
        company_id=project.company_id,
        project_id=project_id,
        body=data.body,
        source=SummarySource.manual.value,
    )
    session.add(summary)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=project.company_id,
        action=Action.summary_updated,
        object_type="project",
        object_id=project_id,
        object_label=project.name,
        description=f"{actor.label} updated the summary of {project.name}",
    )
    return summary
