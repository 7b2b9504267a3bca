"""Demo data (SPEC §1): idempotent — a second run adds nothing."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlmodel import Session, select

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
from services import passwords
from services.demo_deliverables import load_demo_deliverables
from services.users import ADMIN_ROLE, PM_NODES, PM_ROLE, ensure_role, grant_role

DEMO_PASSWORD = "stoa-demo"

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


def _user(
    session: Session, email: str, name: str, hashed: str, **fields: object
) -> tuple[User, bool]:
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

    companies: dict[str, Company] = {}
    for slug, name, parent_slug, accent, welcome in COMPANIES:
        company = session.exec(select(Company).where(Company.slug == slug)).first()
        if company is None:
            parent = companies.get(parent_slug) if parent_slug else None
            company = Company(name=name, slug=slug, parent_id=parent.id if parent else None)
            session.add(company)
            session.flush()
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
    from services.demo_files import load_demo_files

    created |= load_demo_files(session, companies)
    return created


DEMO_WEBHOOK_URL = "https://hooks.example.test/northwind-crm"


def _demo_webhook(session: Session, admin: User, company: Company) -> bool:
    """A paused webhook with a short delivery log, so the admin page has something to show."""
    from portal import crypto
    from services.webhooks import build_payload

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
        .order_by(ActivityLog.created_at)
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
            response_excerpt="Bad gateway" if failed else '{"ok":true}',
            error="HTTP 502" if failed else "",
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
                response_excerpt='{"ok":true}',
                redelivery_of_id=previous.id,
                created_at=at,
            )
        )
    session.flush()
    return True
