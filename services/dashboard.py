"""The dashboard's view data, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlmodel import Session, col, select

from portal.models import ActivityLog, Announcement, Company, Project, Task
from portal.tenancy import Actor, scoped
from services.announcements import latest_announcements
from services.billing.proposals import ProposalsWaiting, proposals_waiting
from services.billing.queries import CurrencySummary, financial_summary
from services.deliverables import queries as deliverable_queries
from services.deliverables.queries import Waiting
from services.events.activity import latest_activity
from services.files import FilesWaiting, pending_file_approvals
from services.projects.progress import ProjectProgress, project_progress
from services.tasks.views import upcoming


@dataclass(frozen=True)
class DashboardView:
    projects: list[tuple[Project, str]]  # project and its company name
    activity: list[ActivityLog]
    welcome: str | None
    progress: dict[int, ProjectProgress]
    milestones: list[tuple[Task, str]]  # task and its project name
    due_soon: list[tuple[Task, str]]
    today: date
    announcements: list[Announcement] = field(default_factory=list)
    waiting: Waiting = field(default_factory=lambda: Waiting(rows=[], total=0))  # deliverables
    files_to_approve: FilesWaiting = field(default_factory=lambda: FilesWaiting(rows=[], total=0))
    financial: list[CurrencySummary] = field(default_factory=list)  # per currency, largest first
    proposals: ProposalsWaiting = field(default_factory=lambda: ProposalsWaiting(rows=[], total=0))

    @property
    def waiting_total(self) -> int:
        """Everything waiting for the visitor: deliverables to review, files to approve and
        proposals to decide on."""
        return self.waiting.total + self.files_to_approve.total + self.proposals.total

    @property
    def overdue_count(self) -> int:
        return sum(p.overdue for p in self.progress.values())

    @property
    def open_count(self) -> int:
        return sum(p.total - p.done for p in self.progress.values())

    @property
    def in_progress_count(self) -> int:
        return sum(p.counts.get("in_progress", 0) for p in self.progress.values())


def dashboard_view(session: Session, *, actor: Actor, welcome: str | None = None) -> DashboardView:
    """The portal's dashboard: its group's overview, what waits for the visitor, and the
    portal's welcome message. ``actor`` is narrowed to the portal's group."""
    view = dashboard_data(session, actor=actor, welcome=welcome)
    waiting = deliverable_queries.waiting_for(session, actor=actor, limit=5)
    files = pending_file_approvals(session, actor=actor, limit=5)
    proposals = proposals_waiting(session, actor=actor, limit=5)
    return replace(view, waiting=waiting, files_to_approve=files, proposals=proposals)


def dashboard_data(session: Session, *, actor: Actor, welcome: str | None = None) -> DashboardView:
    """Active projects with task progress, what's due, milestones, the latest activity and the
    financial summary (computed by the database, over the companies the actor sees)."""
    projects = session.exec(
        scoped(select(Project, Company.name), actor, Project)
        .join(Company, col(Company.id) == Project.company_id)
        .where(Project.status == "active")
        .order_by(col(Project.due_date), col(Project.name))
        .limit(12)
    ).all()
    activity = latest_activity(session, actor=actor, limit=8)
    today = date.today()
    progress = project_progress(
        session, actor=actor, project_ids=[p.id for p, _ in projects if p.id is not None]
    )
    milestones, due_soon = upcoming(session, actor=actor)
    return DashboardView(
        projects=[(p, name) for p, name in projects],
        activity=list(activity),
        welcome=welcome,
        progress=progress,
        milestones=milestones,
        due_soon=due_soon,
        today=today,
        announcements=latest_announcements(session, actor=actor, limit=3),
        financial=financial_summary(session, actor=actor, today=today),
    )
