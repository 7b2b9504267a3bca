"""Helpers that build deliverables through the service (so every test sees real state)."""

from __future__ import annotations

import io
from typing import Any

from sqlmodel import Session, select

from portal.models import ApprovalReceipt, Company, Deliverable, Portal, User
from portal.models.deliverable import DeliverableCreate
from portal.storage import Upload
from portal.tenancy import Actor, actor_for_user
from portal.validation import validated
from services import deliverables as service

PDF = b"%PDF-1.7\n" + b"deliverable body\n" * 20
_DEFAULT = object()


def actor(db: Session, user: User) -> Actor:
    return actor_for_user(db, user)


def pdf(content: bytes = PDF, name: str = "design.pdf") -> Upload:
    return Upload(stream=io.BytesIO(content), filename=name)


def portal_of(db: Session, company: Company) -> Portal:
    return db.exec(select(Portal).where(Portal.company_id == company.id)).one()


def make_deliverable(
    db: Session,
    staff: User,
    company: Company,
    *,
    name: str = "Homepage design",
    upload: Any = _DEFAULT,
    **fields: Any,
) -> Deliverable:
    """A deliverable created by ``staff`` in ``company``'s portal (a PDF unless told); the
    fields are validated as a form or API body would be (Invalid when they are not)."""
    return service.create_deliverable(
        db,
        actor=actor(db, staff),
        portal=portal_of(db, company),
        data=validated(DeliverableCreate, {"name": name, **fields}),
        upload=pdf() if upload is _DEFAULT else upload,
    )


def approved_with_receipt(
    db: Session, staff: User, client: User, company: Company
) -> tuple[Deliverable, ApprovalReceipt]:
    d = make_deliverable(db, staff, company)
    assert d.id is not None
    service.submit(db, actor=actor(db, staff), deliverable_id=d.id)
    receipt = service.approve(
        db, actor=actor(db, client), deliverable_id=d.id, ip_address="203.0.113.7"
    )
    return d, receipt
