"""Demo tasks: lists and tasks in every status for each demo project (idempotent per project)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from portal.models import (
    ActivityLog,
    PortalManager,
    Project,
    Task,
    TaskAssignee,
    TaskComment,
    TaskList,
    User,
)
from portal.models.base import utcnow
from portal.models.task import DEFAULT_SLA_HOURS

# per kind of project: its task lists, then
# (list index, title, status, priority, type, due in days (None: no date), flag)
Plan = list[tuple[int, str, str, str, str, int | None, str]]

WEB: tuple[tuple[str, ...], Plan] = (
    ("Discovery", "Design & build", "Launch"),
    [
        (0, "Kick-off workshop", "complete", "high", "task", -40, ""),
        (0, "Stakeholder interviews", "complete", "medium", "task", -30, ""),
        (0, "Sign off the project brief", "complete", "high", "milestone", -25, "milestone"),
        (0, "Send brand assets and logins", "in_progress", "high", "task", -3, "client"),
        (1, "Wireframes for key pages", "in_progress", "high", "design", 4, ""),
        (1, "Review the content inventory", "up_next", "medium", "content", 6, "client"),
        (1, "Fix contact form validation", "open", "urgent", "bug", -1, ""),
        (1, "Accessibility audit", "up_next", "medium", "task", 12, ""),
        (1, "Internal budget check", "open", "low", "task", 9, "private"),
        (1, "Design review", "open", "medium", "milestone", 10, "milestone"),
        (2, "Copy for the launch announcement", "open", "low", "content", None, ""),
        (2, "Go live", "open", "high", "milestone", 28, "milestone"),
    ],
)
BRAND: tuple[tuple[str, ...], Plan] = (
    ("Research", "Identity", "Roll-out"),
    [
        (0, "Competitor moodboard", "complete", "medium", "design", -21, ""),
        (0, "Brand values workshop", "complete", "high", "task", -14, "client"),
        (1, "Logo concepts, round 2", "in_progress", "high", "design", 2, ""),
        (1, "Pick the primary typeface", "up_next", "medium", "design", 5, "client"),
        (1, "Colour palette with contrast checks", "open", "medium", "design", 8, ""),
        (1, "Concept presentation", "open", "high", "milestone", 9, "milestone"),
        (1, "Freelancer rates", "open", "low", "task", 3, "private"),
        (2, "Business card and letterhead", "open", "low", "design", None, ""),
        (2, "Guidelines PDF", "up_next", "medium", "content", 20, ""),
        (2, "Approve final guidelines", "open", "high", "feature", -2, "client"),
    ],
)
CAMPAIGN: tuple[tuple[str, ...], Plan] = (
    ("Planning", "Creative", "Media"),
    [
        (0, "Campaign brief", "complete", "high", "task", -18, ""),
        (0, "Audience and budget split", "complete", "medium", "task", -12, "client"),
        (1, "Hero video storyboard", "in_progress", "high", "design", 3, ""),
        (1, "Social ad variants", "up_next", "medium", "design", 7, ""),
        (1, "Store window posters", "open", "medium", "design", 11, "client"),
        (1, "Fix broken tracking links", "in_progress", "urgent", "bug", -2, ""),
        (2, "Book the radio slots", "open", "high", "task", 4, ""),
        (2, "Campaign goes live", "open", "high", "milestone", 16, "milestone"),
        (2, "Media agency margin", "open", "low", "task", 6, "private"),
    ],
)
IT: tuple[tuple[str, ...], Plan] = (
    ("Assessment", "Migration", "Handover"),
    [
        (0, "Inventory of current services", "complete", "high", "task", -30, ""),
        (0, "Risk register", "complete", "medium", "task", -20, ""),
        (1, "Migrate the document library", "in_progress", "high", "task", 6, ""),
        (1, "Single sign-on for all staff", "up_next", "high", "feature", 12, "client"),
        (1, "Permissions clean-up", "open", "medium", "task", -4, ""),
        (1, "Pilot with the finance team", "open", "medium", "milestone", 14, "milestone"),
        (2, "Admin training session", "open", "low", "task", None, "client"),
        (2, "Licence true-up", "open", "low", "task", 10, "private"),
    ],
)
PLANS: dict[str, tuple[tuple[str, ...], Plan]] = {
    "Website redesign": WEB,
    "Q3 SEO audit": WEB,
    "Brand guidelines": BRAND,
    "Store launch campaign": CAMPAIGN,
    "Intranet migration": IT,
    "Security review": IT,
}

COMMENTED = {
    "Wireframes for key pages",
    "Logo concepts, round 2",
    "Hero video storyboard",
    "Migrate the document library",
}
COMMENTS = [
    ("staff", "First drafts are up in Files. Shout if anything looks off."),
    ("client", "Looks great — can we try a warmer colour for the header?"),
    ("staff", "Sure, we'll have a variant ready tomorrow."),
]

# project name -> requests filed by its company's last non-viewer user: title, priority, days ago
REQUESTS: dict[str, list[tuple[str, str, int]]] = {
    "Website redesign": [
        ("Add our new office address to the footer", "medium", 1),
        ("Homepage banner for the spring sale", "high", 0),
    ],
    "Store launch campaign": [("Extra poster size for the mall kiosk", "low", 2)],
    "Intranet migration": [("Shared mailbox for the front desk", "urgent", 0)],
}


def load_demo_tasks(session: Session) -> bool:
    """Fill each demo project's board unless it already has task lists."""
    created = False
    today = date.today()
    projects = session.exec(select(Project).order_by(col(Project.id))).all()
    for project in projects:
        assert project.id is not None
        if session.exec(select(TaskList.id).where(TaskList.project_id == project.id)).first():
            continue
        created = True
        staff_ids = list(
            session.exec(
                select(PortalManager.user_id).where(PortalManager.company_id == project.company_id)
            ).all()
        )
        staff = [project.lead_id, *staff_ids]
        clients = list(
            session.exec(
                select(User)
                .where(User.company_id == project.company_id, User.client_role != "viewer")
                .order_by(col(User.id))
            ).all()
        )
        list_names, plan = PLANS.get(project.name, WEB)
        lists = []
        for n, name in enumerate(list_names):
            tl = TaskList(
                company_id=project.company_id, project_id=project.id, name=name, sort_order=n
            )
            session.add(tl)
            lists.append(tl)
        session.flush()
        done_project = project.status == "completed"
        for order, (li, title, status, priority, kind, due_in, flag) in enumerate(plan):
            if done_project:
                status = "complete"
            task = Task(
                company_id=project.company_id,
                project_id=project.id,
                list_id=lists[li].id,
                title=title,
                description=f"{title} for {project.name}.",
                status=status,
                priority=priority,
                type=kind,
                due_date=today + timedelta(days=due_in) if due_in is not None else None,
                sort_order=order,
                is_private=flag == "private",
                is_milestone=flag == "milestone",
                created_by_id=project.lead_id,
                created_at=utcnow() - timedelta(days=45 - order),
                completed_at=utcnow() - timedelta(days=20) if status == "complete" else None,
            )
            session.add(task)
            session.flush()
            assignees = {uid for uid in staff[:1] if uid}
            if flag == "client" and clients:
                assignees.add(clients[order % len(clients)].id)  # type: ignore[arg-type]
            for uid in assignees:
                session.add(
                    TaskAssignee(company_id=project.company_id, task_id=task.id, user_id=uid)  # type: ignore[arg-type]
                )
            if title in COMMENTED:
                for k, (who, body) in enumerate(COMMENTS):
                    author = clients[0] if who == "client" and clients else None
                    author_id = author.id if author else project.lead_id
                    label = author.display_name if author else _name(session, project.lead_id)
                    session.add(
                        TaskComment(
                            company_id=project.company_id,
                            task_id=task.id,  # type: ignore[arg-type]
                            author_id=author_id,
                            author_label=label,
                            body=body,
                            created_at=utcnow() - timedelta(hours=30 - k * 6),
                        )
                    )
            if status == "complete" and not done_project:
                lead = _name(session, project.lead_id)
                session.add(
                    ActivityLog(
                        company_id=project.company_id,
                        actor_id=project.lead_id,
                        actor_label=lead,
                        action="task_completed",
                        object_type="task",
                        object_id=task.id,
                        object_label=title,
                        description=f"{lead} completed {title}",
                        created_at=utcnow() - timedelta(days=20, hours=order),
                    )
                )
        if clients and not done_project:
            requester = clients[-1]
            for k, (title, priority, days_ago) in enumerate(REQUESTS.get(project.name, [])):
                sent = utcnow() - timedelta(days=days_ago, hours=2)
                hours = DEFAULT_SLA_HOURS[priority]
                request = Task(
                    company_id=project.company_id,
                    project_id=project.id,
                    title=title,
                    description="Filed through the portal.",
                    status="open" if k else "up_next",
                    priority=priority,
                    type="request",
                    due_date=(sent + timedelta(hours=hours)).date(),
                    sla_due_at=sent + timedelta(hours=hours),
                    sort_order=-1 - k,
                    is_request=True,
                    requested_by_id=requester.id,
                    created_by_id=requester.id,
                    created_at=sent,
                )
                session.add(request)
                session.flush()
                session.add(
                    ActivityLog(
                        company_id=project.company_id,
                        actor_id=requester.id,
                        actor_label=requester.display_name,
                        action="task_created",
                        object_type="task",
                        object_id=request.id,
                        object_label=title,
                        description=f"{requester.display_name} requested {title}",
                        created_at=sent,
                    )
                )
    session.flush()
    return created


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.display_name if user else "Your team"
