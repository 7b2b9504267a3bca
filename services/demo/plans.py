"""Demo data for projects (goals, members, decisions, roadmaps, summaries) and Pages.

Called by :func:`services.demo.load_demo`; idempotent like it: each piece is checked before
it is inserted, so a second run adds nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from portal.models import (
    Company,
    Decision,
    Page,
    Project,
    ProjectGoal,
    ProjectMember,
    ProjectSummary,
    Roadmap,
    RoadmapItem,
    User,
)
from portal.models.base import utcnow
from portal.tenancy import Actor
from services.pages import render_body, slugify
from services.projects import project_detail
from services.projects.summary import compose_summary

# project name -> goals (title, target, status, due in days)
GOALS: dict[str, list[tuple[str, str, str, int | None]]] = {
    "Website redesign": [
        ("Launch the new website", "Live on acme.example before the due date", "on_track", 30),
        ("Faster pages", "Largest contentful paint under 2.0 s on mobile", "at_risk", 25),
        ("More enquiries", "+25% contact-form submissions vs last quarter", "on_track", 90),
        ("Content migrated", "All 140 product pages moved and redirected", "done", -5),
    ],
    "Brand guidelines": [
        (
            "One brand book for every team",
            "Guidelines PDF and asset library published",
            "on_track",
            12,
        ),
        ("Logo usage agreed", "Sign-off from marketing and sales", "done", -10),
    ],
    "Q3 SEO audit": [
        ("Technical issues fixed", "No critical errors in the crawl report", "done", -25),
        ("Top-10 rankings", "15 priority keywords on page one", "done", -20),
    ],
    "Store launch campaign": [
        ("Opening-week footfall", "3,000 visitors in the first week", "on_track", 21),
        ("Local awareness", "Reach 50,000 people within 10 km", "at_risk", 14),
    ],
    "Intranet migration": [
        ("Every team on the new intranet", "All 12 departments migrated", "on_track", 45),
        ("Old intranet switched off", "Legacy server decommissioned", "on_track", 60),
    ],
    "Security review": [
        ("Findings triaged", "Every finding has an owner and a date", "at_risk", 9),
    ],
}

# project name -> members (email, role label)
MEMBERS: dict[str, list[tuple[str, str]]] = {
    "Website redesign": [
        ("admin@northwind.test", "Design lead"),
        ("owner@acme.test", "Sponsor"),
        ("dev@acme.test", "Content owner"),
        ("viewer@acme.test", "Reviewer"),
    ],
    "Brand guidelines": [("owner@acme.test", "Sponsor"), ("admin@northwind.test", "Art director")],
    "Q3 SEO audit": [("dev@acme.test", "Web team")],
    "Store launch campaign": [
        ("buyer@acme-retail.test", "Store lead"),
        ("admin@northwind.test", "Media planner"),
    ],
    "Intranet migration": [
        ("owner@globex.test", "Sponsor"),
        ("pm@northwind.test", "Migration lead"),
    ],
    "Security review": [("owner@globex.test", "Sponsor")],
}

# project name -> decisions (title, detail, decider email, days ago)
DECISIONS: dict[str, list[tuple[str, str, str, int]]] = {
    "Website redesign": [
        (
            "Use the new brand palette across the site",
            "Teal as the accent, warm greys for text. Old orange only for sale banners.",
            "owner@acme.test",
            40,
        ),
        (
            "Retire the legacy blog",
            "Posts older than two years are redirected to the resources hub; the rest move over.",
            "pm@northwind.test",
            25,
        ),
        (
            "Launch in two phases",
            "Marketing pages go live first; the shop follows once payments are tested.",
            "owner@acme.test",
            12,
        ),
        (
            "Host on the managed platform",
            "Northwind runs hosting, backups and uptime monitoring under the retainer.",
            "admin@northwind.test",
            5,
        ),
    ],
    "Brand guidelines": [
        (
            "Keep the wordmark, refresh the symbol",
            "Recognition tests favoured the existing wordmark.",
            "owner@acme.test",
            20,
        ),
        ("Ship guidelines as a web page, not only a PDF", "", "admin@northwind.test", 8),
    ],
    "Store launch campaign": [
        (
            "Open on a Saturday",
            "Footfall data shows Saturdays bring twice the weekday visitors.",
            "buyer@acme-retail.test",
            10,
        ),
        ("Split media budget 60/40 social and local radio", "", "admin@northwind.test", 4),
    ],
    "Intranet migration": [
        (
            "Migrate department by department",
            "Finance first, because their year-end deadline is fixed.",
            "owner@globex.test",
            15,
        ),
    ],
}

# project name -> (roadmap title, items: title, status, quarter, target in days)
ROADMAPS: dict[str, tuple[str, list[tuple[str, str, str, int | None]]]] = {
    "Website redesign": (
        "Website redesign roadmap",
        [
            ("Discovery workshops", "done", "Q2", -50),
            ("Information architecture", "done", "Q2", -35),
            ("Visual design", "in_progress", "Q3", 5),
            ("Build marketing pages", "in_progress", "Q3", 15),
            ("Content migration", "planned", "Q3", 22),
            ("Shop integration", "planned", "Q4", 45),
            ("Launch and QA", "planned", "Q4", 30),
        ],
    ),
    "Brand guidelines": (
        "Brand rollout",
        [
            ("Brand audit", "done", "Q2", -30),
            ("Guidelines draft", "in_progress", "Q3", 7),
            ("Asset library", "planned", "Q3", 12),
        ],
    ),
    "Store launch campaign": (
        "Launch plan",
        [
            ("Creative concepts", "done", "Q3", -7),
            ("Media booking", "in_progress", "Q3", 3),
            ("Opening weekend", "planned", "Q3", 21),
        ],
    ),
    "Intranet migration": (
        "Migration waves",
        [
            ("Finance", "in_progress", "Q3", 10),
            ("Sales and marketing", "planned", "Q4", 30),
            ("Operations", "planned", "Q4", 45),
        ],
    ),
}

WORKING_WITH = """## How we work together

Everything we do for you is tracked in this portal. Here is how to get the most out of it.

### Where to find things

| You want to… | Go to |
|---|---|
| See what we are working on | **Projects** |
| Approve work | **Deliverables** |
| Talk to the team | **Notes** |

### Response times

- Urgent issues: within **4 working hours**
- Everything else: within **one working day**

> Questions? Write to [hello@northwind.test](mailto:hello@northwind.test).
"""

LAUNCH_PLAN = """## Launch plan

The new site launches in **two phases** (see the decision log on the project page).

1. **Phase one — marketing pages.** Home, services, about, contact, resources.
2. **Phase two — the shop.** Catalogue, basket and checkout once payments are tested.

### What we need from you

- Final product photography by the end of the month
- Sign-off on the navigation
- A list of people who need editor access
"""

STORE_PLAYBOOK = """## Store launch playbook

A one-page guide for the store team during opening week.

- **Friday:** final walk-through with the agency at 4 pm
- **Saturday:** doors open at 9 am; social posts go out at 8:30
- **Sunday:** footfall report shared in the portal by noon

*Keep this page handy on the shop floor.*
"""

GLOBEX_FAQ = """## Intranet migration FAQ

**Will I lose my documents?** No: every department's files move with it.

**When is my team moving?** See the migration waves on the project page.
"""

DRAFT = """## Retainer proposal

Draft: scope, hours and pricing for next quarter. Not yet shared with the client.
"""

# (company slug, title, summary, body, project name or None, published)
PAGES: list[tuple[str, str, str, str, str | None, bool]] = [
    (
        "acme",
        "Working with Northwind Studio",
        "Where to find things in this portal and how quickly we answer.",
        WORKING_WITH,
        None,
        True,
    ),
    (
        "acme",
        "Website launch plan",
        "The two launch phases and what we need from you.",
        LAUNCH_PLAN,
        "Website redesign",
        True,
    ),
    (
        "acme-retail",
        "Store launch playbook",
        "Opening week at a glance for the store team.",
        STORE_PLAYBOOK,
        "Store launch campaign",
        True,
    ),
    ("acme", "Retainer proposal (draft)", "Next quarter's scope.", DRAFT, None, False),
    (
        "globex",
        "Intranet migration FAQ",
        "Answers to the questions teams ask most.",
        GLOBEX_FAQ,
        "Intranet migration",
        True,
    ),
]


def _pk(row_id: int | None) -> int:
    """The id of a row already flushed (the demo only links rows it has saved)."""
    if row_id is None:
        raise ValueError("the row is not saved yet")
    return row_id


def _at(days: int) -> datetime:
    return datetime.combine(date.today() - timedelta(days=days), time(10, 0), tzinfo=UTC)


def load_plans(session: Session, companies: dict[str, Company]) -> bool:
    """Goals, members, decisions, roadmaps, summaries and pages for the demo projects."""
    created = False
    users = {u.email: u for u in session.exec(select(User)).all()}
    ids = [c.id for c in companies.values()]
    projects = session.exec(select(Project).where(col(Project.company_id).in_(ids))).all()
    today = date.today()
    for project in projects:
        created |= _plan_for(session, project, users, today)
    session.flush()
    staff = Actor(kind="staff", company_ids=None, nodes=frozenset({"*"}), label="demo")
    for project in projects:
        has_summary = session.exec(
            select(ProjectSummary.id).where(ProjectSummary.project_id == project.id)
        ).first()
        if has_summary is None and project.name in GOALS:
            detail = project_detail(session, actor=staff, project_id=_pk(project.id))
            session.add(
                ProjectSummary(
                    company_id=project.company_id,
                    project_id=_pk(project.id),
                    body=compose_summary(detail),
                    generated_at=utcnow() - timedelta(hours=3),
                )
            )
            created = True
    by_name: dict[tuple[int | None, str], Project] = {(p.company_id, p.name): p for p in projects}
    author = users.get("pm@northwind.test")
    for slug, title, summary, body, project_name, published in PAGES:
        company = companies[slug]
        exists = session.exec(
            select(Page.id).where(Page.company_id == company.id, Page.title == title)
        ).first()
        if exists is not None:
            continue
        linked = by_name.get((company.id, project_name)) if project_name else None
        session.add(
            Page(
                company_id=_pk(company.id),
                project_id=linked.id if linked else None,
                title=title,
                slug=slugify(title),
                summary=summary,
                body=body,
                body_format="markdown",
                body_html=render_body(body, "markdown"),
                author_id=author.id if author else None,
                published_at=_at(len(title) % 9 + 1) if published else None,
            )
        )
        created = True
    session.flush()
    return created


def _plan_for(session: Session, project: Project, users: dict[str, User], today: date) -> bool:
    created = False
    name = project.name
    if (
        name in GOALS
        and not session.exec(
            select(ProjectGoal.id).where(ProjectGoal.project_id == project.id)
        ).first()
    ):
        for title, target, status, due_in in GOALS[name]:
            session.add(
                ProjectGoal(
                    company_id=project.company_id,
                    project_id=_pk(project.id),
                    title=title,
                    target=target,
                    status=status,
                    due_date=today + timedelta(days=due_in) if due_in is not None else None,
                )
            )
        created = True
    existing = set(
        session.exec(
            select(ProjectMember.user_id).where(ProjectMember.project_id == project.id)
        ).all()
    )
    for email, label in MEMBERS.get(name, []):
        user = users.get(email)
        if user is not None and user.id not in existing:
            session.add(
                ProjectMember(
                    company_id=project.company_id,
                    project_id=_pk(project.id),
                    user_id=_pk(user.id),
                    role_label=label,
                )
            )
            created = True
    if (
        name in DECISIONS
        and not session.exec(select(Decision.id).where(Decision.project_id == project.id)).first()
    ):
        for title, detail, email, days_ago in DECISIONS[name]:
            decider = users.get(email)
            session.add(
                Decision(
                    company_id=project.company_id,
                    project_id=_pk(project.id),
                    title=title,
                    detail=detail,
                    decided_by_id=decider.id if decider else None,
                    created_by_id=decider.id if decider else None,
                    decided_at=_at(days_ago),
                )
            )
        created = True
    if (
        name in ROADMAPS
        and not session.exec(select(Roadmap.id).where(Roadmap.project_id == project.id)).first()
    ):
        title, items = ROADMAPS[name]
        roadmap = Roadmap(
            company_id=project.company_id,
            project_id=_pk(project.id),
            title=title,
            description=f"The steps of {name}, from first workshop to launch.",
        )
        session.add(roadmap)
        session.flush()
        for order, (item_title, status, quarter, target_in) in enumerate(items):
            session.add(
                RoadmapItem(
                    company_id=project.company_id,
                    roadmap_id=_pk(roadmap.id),
                    title=item_title,
                    status=status,
                    quarter=quarter,
                    target_date=today + timedelta(days=target_in)
                    if target_in is not None
                    else None,
                    sort_order=order,
                )
            )
        created = True
    return created
