"""Demo contracts: a signed and an unsigned one for Acme, one awaiting Acme Retail (so the group
view shows it), a signed one for Globex — uploaded and signed through the contracts service,
so hashes, receipts and history are real."""

from __future__ import annotations

import io

from sqlmodel import Session, select

from portal.models import Company, Contract, Portal, User
from portal.models.contract import ContractCreate, ContractSign
from portal.storage import Upload
from portal.tenancy import actor_for_user
from portal.validation import validated
from services.billing import contracts
from services.demo.deliverables import demo_pdf

# company slug -> (title, message, signers as (name, email), emails who have signed)
CONTRACTS: dict[str, list[tuple[str, str, list[tuple[str, str]], list[str]]]] = {
    "acme": [
        (
            "Master services agreement 2027",
            "The yearly agreement, as discussed in October.",
            [("Olivia Owner", "owner@acme.test")],
            ["owner@acme.test"],
        ),
        (
            "Data processing addendum",
            "Needed before the shop goes live: please both sign.",
            [("Olivia Owner", "owner@acme.test"), ("Dev Collaborator", "dev@acme.test")],
            [],
        ),
    ],
    "acme-retail": [
        (
            "Store launch: statement of work",
            "Scope and dates for the launch campaign.",
            [("Bruno Buyer", "buyer@acme-retail.test")],
            [],
        ),
    ],
    "globex": [
        (
            "Security review engagement letter",
            "",
            [("Gloria Globex", "owner@globex.test")],
            ["owner@globex.test"],
        ),
    ],
}


def load_demo_contracts(session: Session, *, companies: dict[str, Company], staff: User) -> bool:
    """Create the demo contracts that are missing (by title per company)."""
    actor = actor_for_user(session, staff)
    created = False
    for slug, specs in CONTRACTS.items():
        company = companies.get(slug)
        portal = (
            session.exec(select(Portal).where(Portal.company_id == company.id)).first()
            if company is not None
            else None
        )
        if company is None or portal is None:
            continue
        titles = set(session.exec(select(Contract.title).where(Contract.company_id == company.id)))
        for title, message, signers, signed in specs:
            if title in titles:
                continue
            data = validated(
                ContractCreate,
                {
                    "title": title,
                    "message": message,
                    "signers": [{"name": n, "email": e} for n, e in signers],
                },
            )
            filename = title.lower().replace(" ", "-").replace(":", "") + ".pdf"
            contract = contracts.create_contract(
                session,
                actor=actor,
                portal=portal,
                data=data,
                upload=Upload(stream=io.BytesIO(demo_pdf(title, 1)), filename=filename),
            )
            assert contract.id is not None
            for name, email in signers:
                person = session.exec(select(User).where(User.email == email)).first()
                if email in signed and person is not None:
                    contracts.sign_contract(
                        session,
                        actor=actor_for_user(session, person),
                        contract_id=contract.id,
                        data=ContractSign(typed_name=name, consent=True),
                        ip_address="198.51.100.24",
                        user_agent="Mozilla/5.0 (demo)",
                    )
            created = True
    return created
