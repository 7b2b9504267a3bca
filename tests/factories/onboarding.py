"""Client success test data: a template, a company's run through it, a review."""

from __future__ import annotations

from sqlmodel import Session

from portal.models import Company
from portal.models.onboarding import (
    ClientOnboarding,
    OnboardingMilestoneDone,
    OnboardingTemplate,
    Qbr,
    QbrSection,
    StageIn,
    TemplateCreate,
)
from portal.tenancy import Actor
from services.onboarding import _refresh, _stages, create_template

STAFF = Actor(kind="staff", nodes=frozenset({"*"}), company_ids=None, label="Test staff")


def make_template(
    db: Session, stages: list[tuple[str, list[str]]] | None = None, name: str = "Launch plan"
) -> OnboardingTemplate:
    stages = stages or [("Kick-off", ["Call", "Profile"]), ("Setup", ["Access", "Tracking"])]
    return create_template(
        session=db,
        actor=STAFF,
        data=TemplateCreate(name=name, stages=[StageIn(name=n, milestones=m) for n, m in stages]),
    )


def start(
    db: Session, company: Company, template: OnboardingTemplate, done: int = 0
) -> ClientOnboarding:
    run = ClientOnboarding(company_id=company.id, template_id=template.id)  # type: ignore[arg-type]
    db.add(run)
    db.flush()
    for view in [m for s in _stages(db, run) for m in s.milestones][:done]:
        db.add(
            OnboardingMilestoneDone(
                company_id=company.id,  # type: ignore[arg-type]
                onboarding_id=run.id,  # type: ignore[arg-type]
                milestone_id=view.milestone.id,  # type: ignore[arg-type]
            )
        )
    db.flush()
    _refresh(run, _stages(db, run))
    db.flush()
    return run


def make_qbr(
    db: Session,
    company: Company,
    *,
    presented: bool = True,
    sections: tuple[tuple[str, str], ...] = (("Results", "visible"), ("Health", "internal")),
    quarter: str = "2026-Q3",
) -> Qbr:
    from portal.models.base import utcnow

    qbr = Qbr(
        company_id=company.id,  # type: ignore[arg-type]
        title=f"{quarter} review",
        quarter=quarter,
        status="presented" if presented else "draft",
        presented_at=utcnow() if presented else None,
    )
    db.add(qbr)
    db.flush()
    for i, (title, vis) in enumerate(sections):
        db.add(
            QbrSection(
                company_id=company.id,  # type: ignore[arg-type]
                qbr_id=qbr.id,  # type: ignore[arg-type]
                position=i,
                title=title,
                body=f"{title} text",
                portal_visibility=vis,
            )
        )
    db.flush()
    return qbr
