"""Helpers that build deliverables through the service (so every test sees real state)."""

from __future__ import annotations

import io

from sqlmodel import Session

from portal.models import ApprovalReceipt, Company, Deliverable, User
from portal.tenancy import Actor, actor_for_user
from services import deliverables as service
from services.deliverables.files import Upload

PDF = b"%PDF-1.7\n" + b"deliverable body\n" * 20


def actor(db: Session, user: User) -> Actor:
    return actor_for_user(db, user)


def pdf(content: bytes = PDF, name: str = "design.pdf") -> Upload:
    return Upload(stream=io.BytesIO(content), filename=name)


def make_deliverable(
    db: Session, staff: User, company: Company, *, name: str = "Homepage design", **kw: object
) -> Deliverable:
    kw.setdefault("upload", pdf())
    return service.create_deliverable(
        db,
        actor=actor(db, staff),
        company_id=company.id,  # type: ignore[arg-type]
        name=name,
        **kw,  # type: ignore[arg-type]
    )


def approved_with_receipt(
    db: Session, staff: User, client: User, company: Company
) -> tuple[Deliverable, ApprovalReceipt]:
    d = make_deliverable(db, staff, company)
    service.submit(db, actor=actor(db, staff), deliverable_id=d.id)  # type: ignore[arg-type]
    receipt = service.approve(
        db,
        actor=actor(db, client),
        deliverable_id=d.id,
        ip_address="203.0.113.7",  # type: ignore[arg-type]
    )
    return d, receipt
