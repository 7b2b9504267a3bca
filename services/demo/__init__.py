"""Demo data (SPEC §1): idempotent — a second run adds nothing."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from portal import passwords
from portal.models import (
    ActivityLog,
    Agency,
    Company,
    Portal,
    PortalManager,
    Project,
    User,
    WebhookDelivery,
    WebhookSubscription,
)
from portal.models.base import utcnow
from services.accounts.demo import DEMO_PASSWORD
from services.accounts.users import ADMIN_ROLE, PM_NODES, PM_ROLE, ensure_role, grant_role
from services.demo.deliverables import load_demo_deliverables
from services.demo.plans import load_plans

COMPANIES = [
    # slug, name, parent slug, accent, welcome
    (
        "acme",
        "Acme Corp",
        None,
        "#0f766e",
        "Welcome to your Acme portal. Everything we are working on together lives here.",
    ),
    (
        "acme-retail",
        "Acme Retail",
        "acme",
        "#b45309",
        "Hello Acme Retail team! Your store launch work is tracked here.",
    ),
    ("globex", "Globex", None, "#7c3aed", "Welcome to the Globex portal."),
]

CLIENTS = [
    ("owner@acme.test", "Olivia Owner", "acme", "admin"),
    ("dev@acme.test", "Dev Collaborator", "acme", "collaborator"),
    ("viewer@acme.test", "Vera Viewer", "acme", "viewer"),
    ("buyer@acme-retail.test", "Bruno Buyer", "acme-retail", "admin"),
    ("owner@globex.test", "Gloria Globex", "globex", "admin"),
]

PROJECTS = {
    "acme": [
        ("Website redesign", 30, "active"),
        ("Brand guidelines", 12, "active"),
        ("Q3 SEO audit", -20, "completed"),
    ],
    "acme-retail": [("Store launch campaign", 21, "active")],
    "globex": [("Intranet migration", 45, "active"), ("Security review", 9, "active")],
}


def _user(session: Session, email: str, name: str, hashed: str, **fields: Any) -> tuple[User, bool]:
    user = session.exec(select(User).where(User.email == email)).first()
    if user is not None:
        return user, False
    user = User(email=email, name=name, password_hash=hashed, **fields)
    session.add(user)
    session.flush()
    return user, True


def load_demo(session: Session) -> bool:
    """Create whatever part of the demo is missing; return True if anything was added."""
    created = False
    if session.exec(select(Agency)).first() is None:
        session.add(
            Agency(
                name="Northwind Studio",
                primary_color="#4f46e5",
                support_email="hello@northwind.test",
            )
        )
        created = True
    hashed = passwords.hash_password(DEMO_PASSWORD)

    admin_role = ensure_role(
        session, name=ADMIN_ROLE, permissions=["*"], description="Everything, everywhere"
    )
    pm_role = ensure_role(
        session,
        name=PM_ROLE,
        permissions=PM_NODES,
        description="Runs the portals they are assigned to",
    )
    admin, new = _user(session, "admin@northwind.test", "Ada Admin", hashed, is_staff=True)
    created |= new
    grant_role(session, user=admin, role=admin_role)
    pm, new = _user(session, "pm@northwind.test", "Pat Manager", hashed, is_staff=True)
    created |= new
    grant_role(session, user=pm, role=pm_role)
    # a custom role beside the built-in ones, for the roles screen (/admin/roles)
    ensure_role(
        session,
        name="Billing",
        permissions=[
            "portal.all",
            "invoice.read",
            "invoice.write",
            "budget.write",
            "obj.company.*",
        ],
        description="Invoices and budgets for every portal",
    )

    companies: dict[str, Company] = {}
    for slug, name, parent_slug, accent, welcome in COMPANIES:
        company = session.exec(select(Company).where(Company.slug == slug)).first()
        if company is None:
            parent = companies.get(parent_slug) if parent_slug else None
            company = Company(name=name, slug=slug, parent_id=parent.id if parent else None)
            session.add(company)
            session.flush()
            assert company.id is not None
            session.add(
                Portal(
                    company_id=company.id,
                    title=name,
                    slug=slug,
                    accent_color=accent,
                    welcome_message=welcome,
                    dashboard_enabled=slug != "globex",
                )
            )
            created = True
        companies[slug] = company

    for slug in ("acme", "acme-retail"):
        cid = companies[slug].id
        if (
            session.exec(
                select(PortalManager).where(
                    PortalManager.user_id == pm.id, PortalManager.company_id == cid
                )
            ).first()
            is None
        ):
            session.add(PortalManager(user_id=pm.id, company_id=cid))  # type: ignore[arg-type]
            created = True

    reviewers: dict[str, User] = {}
    for email, name, slug, role in CLIENTS:
        client, new = _user(
            session, email, name, hashed, company_id=companies[slug].id, client_role=role
        )
        created |= new
        if role != "viewer":
            reviewers.setdefault(slug, client)

    today = date.today()
    for slug, projects in PROJECTS.items():
        company = companies[slug]
        for name, due_in, status in projects:
            exists = session.exec(
                select(Project.id).where(Project.company_id == company.id, Project.name == name)
            ).first()
            if exists is None:
                lead = pm if slug != "globex" else admin
                assert company.id is not None
                session.add(
                    Project(
                        company_id=company.id,
                        name=name,
                        status=status,
                        lead_id=lead.id,
                        description=f"{name} for {company.name}.",
                        start_date=today - timedelta(days=60),
                        due_date=today + timedelta(days=due_in),
                    )
                )
                session.add(
                    ActivityLog(
                        company_id=company.id,
                        actor_id=lead.id,
                        actor_label=lead.display_name,
                        action="project_created",
                        object_type="project",
                        object_label=name,
                        description=f"{lead.display_name} started {name}",
                        created_at=utcnow() - timedelta(days=abs(due_in)),
                    )
                )
                created = True
    session.flush()
    created |= _demo_webhook(session, admin, companies["acme"])
    created |= load_demo_deliverables(
        session,
        companies=companies,
        staff={"acme": pm, "acme-retail": pm, "globex": admin},
        clients=reviewers,
    )
    from services.demo.tasks import load_demo_tasks

    created |= load_demo_tasks(session)
    created |= _demo_conversations(session, companies)
    from services.demo.files import load_demo_files

    created |= load_demo_files(session, companies)
    created |= load_plans(session, companies)
    from services.demo.task_attachments import load_demo_task_attachments

    created |= load_demo_task_attachments(session, companies)
    from services.demo.billing import load_demo_billing

    created |= load_demo_billing(session, companies=companies, staff=admin)
    from services.demo.budgets import load_demo_budgets

    created |= load_demo_budgets(session, companies=companies, staff=admin)
    from services.demo.contracts import load_demo_contracts

    created |= load_demo_contracts(session, companies=companies, staff=admin)
    from services.demo.network import load_demo_network

    created |= load_demo_network(session, companies)
    from services.demo.feedback import load_demo_feedback

    created |= load_demo_feedback(session, companies)
    from services.demo.vault import load_demo_vault

    created |= load_demo_vault(session, companies, admin)
    from services.demo.portal_setup import load_demo_portal_setup

    created |= load_demo_portal_setup(session, companies)
    from services.demo.people import load_demo_people

    created |= load_demo_people(session, companies=companies, admin=admin)
    from services.demo.results import load_demo_results

    owner = session.exec(select(User).where(User.email == "owner@acme.test")).first()
    created |= load_demo_results(session, companies, owner)
    from services.demo.onboarding import load_demo_onboarding

    created |= load_demo_onboarding(session, companies, admin, owner)
    from services.demo.catalog import load_demo_catalog, load_demo_opportunities

    created |= load_demo_catalog(session)
    created |= load_demo_opportunities(session, companies, admin)
    from services.demo.proposals import load_demo_proposals

    created |= load_demo_proposals(session, admin=admin)
    return created


DEMO_WEBHOOK_URL = "https://hooks.example.test/northwind-crm"


def _demo_webhook(session: Session, admin: User, company: Company) -> bool:
    """A paused webhook with a short delivery log, so the admin page has something to show."""
    from portal import crypto
    from services.events.webhooks import build_payload

    exists = session.exec(
        select(WebhookSubscription.id).where(WebhookSubscription.url == DEMO_WEBHOOK_URL)
    ).first()
    if exists is not None:
        return False
    sub = WebhookSubscription(
        url=DEMO_WEBHOOK_URL,
        description="CRM sync (demo, paused)",
        events=["project_created", "client_invited", "deliverable_approved"],
        company_id=company.id,
        secret_encrypted=crypto.encrypt("whsec_demo_" + secrets.token_urlsafe(24)),
        active=False,
        created_by_id=admin.id,
    )
    session.add(sub)
    session.flush()
    events = session.exec(
        select(ActivityLog)
        .where(ActivityLog.company_id == company.id, ActivityLog.action == "project_created")
        .order_by(col(ActivityLog.created_at))
    ).all()
    previous: WebhookDelivery | None = None
    for i, row in enumerate(events):
        at = row.created_at + timedelta(seconds=2)
        failed = i == 0
        delivery = WebhookDelivery(
            subscription_id=sub.id,  # type: ignore[arg-type]
            event=row.action,
            payload=build_payload(row, company),
            status="failed" if failed else "success",
            attempts=8 if failed else 1,
            last_attempt_at=at,
            completed_at=at,
            response_code=502 if failed else 200,
            error="HTTP 502 Bad Gateway" if failed else "",
            created_at=at,
        )
        session.add(delivery)
        session.flush()
        previous = previous or delivery
    if previous is not None:
        at = utcnow() - timedelta(hours=3)
        session.add(
            WebhookDelivery(
                subscription_id=sub.id,  # type: ignore[arg-type]
                event=previous.event,
                payload=previous.payload,
                status="success",
                attempts=1,
                last_attempt_at=at,
                completed_at=at,
                response_code=200,
                redelivery_of_id=previous.id,
                created_at=at,
            )
        )
    session.flush()
    return True


# (company slug, project, author email, age in hours, body, internal, replies[(email, hours, body)])
DEMO_THREADS = [
    (
        "acme",
        "Website redesign",
        "pm@northwind.test",
        50,
        "Homepage wireframes are ready for review. @Olivia could you look at the hero section "
        "by **Friday**?\n\n- New navigation\n- Shorter sign-up form\n- Case studies up front",
        False,
        [
            (
                "owner@acme.test",
                46,
                "Looks great! Can the pricing link move into the main menu? "
                "@Dev what do you think?",
            ),
            ("dev@acme.test", 44, "Agreed, and let's keep the search box visible on mobile."),
            ("pm@northwind.test", 30, "Done in the next iteration. Thanks both!"),
        ],
    ),
    (
        "acme",
        "Website redesign",
        "dev@acme.test",
        20,
        "The staging login asks for a password I don't have. Who can reset it?",
        False,
        [("pm@northwind.test", 18, "Reset and sent to your inbox. @dev@acme.test shout if not.")],
    ),
    (
        "acme",
        "Website redesign",
        "pm@northwind.test",
        16,
        "Internal: Acme is nervous about the launch date. Keep a one-week buffer in the plan and "
        "don't promise the blog migration yet.",
        True,
        [("admin@northwind.test", 12, "Agreed. I'll raise it at the next QBR.")],
    ),
    (
        "acme",
        "Brand guidelines",
        "owner@acme.test",
        8,
        "Here are our current colours: `#0f766e` and `#134e4a`. See "
        "[the old guide](https://example.com/brand.pdf) for the rest.",
        False,
        [("admin@northwind.test", 5, "Thanks Olivia, we'll build the new palette from these.")],
    ),
    (
        "acme-retail",
        "Store launch campaign",
        "buyer@acme-retail.test",
        26,
        "Can we see the first ad creatives before the weekend?",
        False,
        [("pm@northwind.test", 22, "Yes. @Bruno they'll be in Deliverables on Thursday.")],
    ),
    (
        "globex",
        "Intranet migration",
        "owner@globex.test",
        10,
        "Our IT team will freeze changes from the 20th. Does that work with your plan?",
        False,
        [],
    ),
]

DEMO_ANNOUNCEMENTS = [
    (
        None,
        "Holiday opening hours",
        "Our studio is closed from **24 December to 2 January**. Urgent requests still reach "
        "the on-call team through the portal.",
    ),
    (
        "acme",
        "Your new project dashboard",
        "Projects, notes and approvals now live in one place. Tell us what you think in Notes!",
    ),
]


def _backdate_note_trail(session: Session) -> None:
    """Activity and notifications of demo notes carry the notes' (backdated) times."""
    from portal.models import Note, Notification

    for note in session.exec(select(Note)).all():
        for row in session.exec(
            select(ActivityLog).where(
                ActivityLog.object_id == note.id,
                ActivityLog.object_type.in_(["note", "internal_note"]),  # type: ignore[attr-defined]
            )
        ).all():
            row.created_at = note.created_at
            session.add(row)
        for n in session.exec(
            select(Notification).where(Notification.url.endswith(f"#note-{note.id}"))  # type: ignore[union-attr]
        ).all():
            n.created_at = note.created_at
            session.add(n)


def _demo_conversations(session: Session, companies: dict[str, Company]) -> bool:
    """Threads with replies and mentions, an internal note, announcements, notifications."""
    from datetime import UTC, datetime

    from portal.models import Announcement, Note, Notification
    from portal.models.announcement import AnnouncementCreate
    from portal.models.note import NoteCreate
    from portal.tenancy import actor_for_user
    from services.announcements import create_announcement
    from services.notes import create_note

    created = False
    users = {u.email: u for u in session.exec(select(User)).all()}
    now = datetime.now(UTC)

    def as_actor(email: str):  # noqa: ANN202
        return actor_for_user(session, users[email])

    if session.exec(select(Note.id).limit(1)).first() is None:
        for slug, project_name, author, hours, body, internal, replies in DEMO_THREADS:
            company = companies[slug]
            project = session.exec(
                select(Project).where(
                    Project.company_id == company.id, Project.name == project_name
                )
            ).one()
            root = create_note(
                session,
                actor=as_actor(author).narrowed([company.id]),
                data=NoteCreate(body=body, resource_id=project.id, is_internal=internal),
            )
            root.created_at = now - timedelta(hours=hours)
            for email, reply_hours, reply_body in replies:
                reply_actor = as_actor(email)
                reply = create_note(
                    session,
                    actor=reply_actor.narrowed([company.id]),
                    data=NoteCreate(body=reply_body, parent_id=root.id),
                )
                reply.created_at = now - timedelta(hours=reply_hours)
        created = True

    admin = as_actor("admin@northwind.test")
    for target, title, body in DEMO_ANNOUNCEMENTS:
        if session.exec(select(Announcement.id).where(Announcement.title == title)).first():
            continue
        create_announcement(
            session,
            actor=admin,
            data=AnnouncementCreate(
                title=title, body=body, company_id=companies[target].id if target else None
            ),
        )
        created = True

    if created:
        _backdate_note_trail(session)
        # demo history: nothing waits to be mailed, and some of it has been read already
        for n in session.exec(select(Notification).where(Notification.emailed_at.is_(None))).all():  # type: ignore[union-attr]
            n.emailed_at = now
            if n.type == "announcement" and n.title.startswith("Holiday"):
                n.read_at = now
            session.add(n)
    session.flush()
    return created
