"""Demo proposals: Acme's network refresh shared and awaiting its admin's decision, and Globex's
camera proposal accepted (with its receipt) and drafted into an invoice by the agency's admin.
Made through the proposals service, so activity, notifications and the receipt are what a real
run leaves."""

from __future__ import annotations

from sqlmodel import Session, select

from portal.models import Proposal, User
from portal.models.catalog import Opportunity
from portal.models.proposal import ProposalAccept, ProposalShare
from portal.tenancy import actor_for_user
from services.billing import proposals

ACME_TERMS = "Prices exclude tax. Hardware is ordered on acceptance; installation within 3 weeks."
GLOBEX_TERMS = "50% on acceptance, the rest on installation. Prices exclude tax."


def _opportunity(session: Session, name: str) -> Opportunity | None:
    return session.exec(select(Opportunity).where(Opportunity.name == name)).first()


def load_demo_proposals(session: Session, *, admin: User) -> bool:
    """The two demo proposals, once (nothing when any proposal exists)."""
    if session.exec(select(Proposal.id).limit(1)).first() is not None:
        return False
    staff = actor_for_user(session, admin)
    acme = _opportunity(session, "Acme HQ network refresh")
    globex = _opportunity(session, "Globex warehouse cameras")
    gloria = session.exec(select(User).where(User.email == "owner@globex.test")).first()
    if acme is None or globex is None or gloria is None:
        return False
    proposals.share_opportunity(
        session, actor=staff, opportunity_id=acme.id, data=ProposalShare(terms=ACME_TERMS)
    )
    shared = proposals.share_opportunity(
        session, actor=staff, opportunity_id=globex.id, data=ProposalShare(terms=GLOBEX_TERMS)
    )
    proposals.accept_proposal(
        session,
        actor=actor_for_user(session, gloria),
        proposal_id=shared.id,
        data=ProposalAccept(version=shared.version, typed_name=gloria.name, consent=True),
        ip_address="203.0.113.7",
        user_agent="Demo data",
    )
    proposals.draft_invoice_from_proposal(session=session, actor=staff, proposal_id=shared.id)
    return True
