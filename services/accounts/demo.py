"""The demo accounts, shown on the login page in development once the demo data is loaded
(``stoa demo`` creates them; kept here, light, so the login page does not import the loader)."""

from __future__ import annotations

from sqlmodel import Session, select

from portal.models import User

DEMO_PASSWORD = "stoa-demo"

# Who to sign in as, for the login page in development (and the README): email, what they see.
DEMO_ACCOUNTS = [
    ("admin@northwind.test", "Staff admin: every portal and the staff area"),
    ("pm@northwind.test", "Project manager of Acme and Acme Retail"),
    ("owner@acme.test", "Acme Corp admin: approves deliverables, manages people"),
    ("dev@acme.test", "Acme Corp collaborator"),
    ("viewer@acme.test", "Acme Corp viewer (read-only)"),
    ("buyer@acme-retail.test", "Acme Retail admin (a child company of Acme Corp)"),
    ("owner@globex.test", "Globex admin (another client)"),
]


def demo_accounts(session: Session, *, env: str) -> list[tuple[str, str]]:
    """The demo accounts to show on the login page: in development only, and only once the demo
    data is loaded (one query)."""
    if env != "development":
        return []
    loaded = session.exec(select(User.id).where(User.email == DEMO_ACCOUNTS[0][0])).first()
    return list(DEMO_ACCOUNTS) if loaded is not None else []
