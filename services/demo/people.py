"""Demo people: an open invitation at Acme and a deactivated former Globex employee, so the
People page and Acme's Settings show every state."""

from __future__ import annotations

from sqlmodel import Session, select

from portal.models import Company, Invitation, User
from portal.models.user import InviteCreate
from portal.tenancy import actor_for_user
from portal.web.urls import DEVELOPMENT_BASE_URL
from services.accounts.auth import invite

DEMO_INVITEE = "new.hire@acme.test"
DEMO_FORMER = "former@globex.test"


def load_demo_people(session: Session, *, companies: dict[str, Company], admin: User) -> bool:
    """Create what is missing; True if anything was."""
    created = False
    if session.exec(select(Invitation.id).where(Invitation.email == DEMO_INVITEE)).first() is None:
        acme = companies["acme"]
        assert acme.id is not None
        invite(
            session,
            actor=actor_for_user(session, admin),
            company_id=acme.id,
            data=InviteCreate(email=DEMO_INVITEE, name="Nina New", role="collaborator"),
            base_url=DEVELOPMENT_BASE_URL,
        )
        created = True
    if session.exec(select(User.id).where(User.email == DEMO_FORMER)).first() is None:
        session.add(
            User(
                email=DEMO_FORMER,
                name="Fred Former",
                company_id=companies["globex"].id,
                client_role="collaborator",
                is_active=False,
            )
        )
        session.flush()
        created = True
    return created
