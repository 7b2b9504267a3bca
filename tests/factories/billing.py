"""Helpers that build invoices through the billing service (so tests see real state)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from portal.models import Company, Contract, ContractSignature, Invoice, Portal, User
from portal.models.billing import InvoiceCreate, PaymentCreate
from portal.models.budget import Budget, BudgetCreate
from portal.models.contract import ContractCreate, ContractSign
from portal.storage import Upload
from portal.tenancy import actor_for_user
from portal.validation import validated
from services import billing as service
from services.billing import budgets, contracts

LINES: list[dict[str, Any]] = [
    {"description": "Design sprint", "quantity": "2", "unit_price": "1250.00", "tax_rate": "20"},
    {"description": "Hosting", "quantity": "1", "unit_price": "49.99", "discount_rate": "10"},
]


def make_invoice(
    db: Session,
    staff: User,
    company: Company,
    *,
    lines: list[dict[str, Any]] | None = None,
    send: bool = True,
    payments: list[str] = (),  # type: ignore[assignment]
    overdue: bool = False,
    **fields: Any,
) -> Invoice:
    """A draft (``send=False``) or sent invoice; ``payments`` are amounts recorded after
    sending; ``overdue`` dates it so the due date has passed."""
    actor = actor_for_user(db, staff)
    if overdue:
        fields.setdefault("issue_date", date.today() - timedelta(days=45))
        fields.setdefault("due_date", date.today() - timedelta(days=15))
    data = validated(InvoiceCreate, {"lines": LINES if lines is None else lines, **fields})
    invoice = service.create_invoice(db, actor=actor, company_id=company.id, data=data)  # type: ignore[arg-type]
    if send:
        service.send_invoice(db, actor=actor, invoice_id=invoice.id)  # type: ignore[arg-type]
    for amount in payments:
        service.record_payment(
            db,
            actor=actor,
            invoice_id=invoice.id,  # type: ignore[arg-type]
            data=PaymentCreate(amount=Decimal(amount)),
        )
    db.refresh(invoice)
    return invoice


BUDGET_LINES: list[dict[str, Any]] = [
    {"description": "Video shoot", "quantity": "2", "unit_price": "1500.005"},
    {"description": "Editing", "quantity": "12.5", "unit_price": "80"},
]


def make_budget(
    db: Session,
    staff: User,
    company: Company,
    *,
    lines: list[dict[str, Any]] | None = None,
    submit: bool = True,
    title: str = "Spring campaign",
    **fields: Any,
) -> Budget:
    """A draft (``submit=False``) or pending-approval budget, built through the service."""
    actor = actor_for_user(db, staff)
    data = validated(
        BudgetCreate,
        {"title": title, "lines": BUDGET_LINES if lines is None else lines, **fields},
    )
    budget = budgets.create_budget(db, actor=actor, company_id=company.id, data=data)  # type: ignore[arg-type]
    if submit:
        budgets.submit_budget(db, actor=actor, budget_id=budget.id)  # type: ignore[arg-type]
    db.refresh(budget)
    return budget


CONTRACT_PDF = b"%PDF-1.7\n" + b"contract body\n" * 20


def make_contract(
    db: Session,
    staff: User,
    company: Company,
    signers: list[User | tuple[str, str]],
    *,
    title: str = "Master services agreement",
    content: bytes = CONTRACT_PDF,
) -> Contract:
    """A contract uploaded to ``company``'s portal for ``signers`` (users or (name, email))."""
    portal = db.exec(select(Portal).where(Portal.company_id == company.id)).one()
    people = [(s.display_name, s.email) if isinstance(s, User) else s for s in signers]
    data = validated(
        ContractCreate,
        {"title": title, "signers": [{"name": n, "email": e} for n, e in people]},
    )
    return contracts.create_contract(
        db,
        actor=actor_for_user(db, staff),
        portal=portal,
        data=data,
        upload=Upload(stream=io.BytesIO(content), filename="msa.pdf"),
    )


def sign_as(db: Session, user: User, contract: Contract) -> ContractSignature:
    """``user`` signs ``contract`` with their display name and consent."""
    return contracts.sign_contract(
        db,
        actor=actor_for_user(db, user),
        contract_id=contract.id,  # type: ignore[arg-type]
        data=ContractSign(typed_name=user.display_name, consent=True),
        ip_address="203.0.113.9",
        user_agent="pytest",
    )


def make_proposal(
    db: Session, staff: User, company: Company, *, name: str = "HQ network", **share: Any
) -> Any:
    """An opportunity of ``company`` with two lines, shared by ``staff`` as a proposal
    (version 1, total $1,117.00)."""
    from portal.models.proposal import ProposalShare
    from services.billing import proposals
    from tests.factories.catalog import add_line, make_item, make_opportunity

    opp = make_opportunity(db, company, name)
    add_line(db, opp, make_item(db, "Router", price="379.00"), quantity="1")
    add_line(db, opp, make_item(db, "Access point", price="246.00"), quantity="3")
    return proposals.share_opportunity(
        db, actor=actor_for_user(db, staff), opportunity_id=opp.id, data=ProposalShare(**share)
    )
