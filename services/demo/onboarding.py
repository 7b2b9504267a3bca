"""Demo client success: the agency's onboarding template, Acme Retail halfway through it (Acme
finished long ago), Acme's success profile with goals matching its Results targets, and a
presented QBR with an internal section (plus next quarter's draft)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session, select

from portal.models import Company, User
from portal.models.base import utcnow
from portal.models.onboarding import (
    ClientGoal,
    ClientOnboarding,
    OnboardingMilestoneDone,
    OnboardingTemplate,
    Qbr,
    QbrSection,
    StageIn,
    SuccessProfile,
    TemplateCreate,
)
from portal.tenancy import Actor
from services.onboarding import _refresh, _stages, create_template

TEMPLATE_NAME = "Retail growth onboarding"
STAGES = [
    ("Kick-off", ["Kick-off call", "Success profile answered", "Team and contacts confirmed"]),
    ("Access & setup", ["Store connected", "Ad account access granted", "Brand assets shared"]),
    ("Measurement", ["Conversion tracking verified", "Targets agreed", "First report reviewed"]),
    ("Launch", ["First campaigns live", "30-day check-in"]),
]


def _run(session: Session, company: Company, template: OnboardingTemplate, done: int, days: int):
    onboarding = ClientOnboarding(
        company_id=company.id,  # type: ignore[arg-type]
        template_id=template.id,  # type: ignore[arg-type]
        started_at=utcnow() - timedelta(days=days),
    )
    session.add(onboarding)
    session.flush()
    milestones = [m for s in _stages(session, onboarding) for m in s.milestones]
    for i, m in enumerate(milestones[:done]):
        session.add(
            OnboardingMilestoneDone(
                company_id=company.id,  # type: ignore[arg-type]
                onboarding_id=onboarding.id,  # type: ignore[arg-type]
                milestone_id=m.milestone.id,  # type: ignore[arg-type]
                completed_at=onboarding.started_at + timedelta(days=2 + i * 3),
            )
        )
    session.flush()
    _refresh(onboarding, _stages(session, onboarding))
    if onboarding.completed_at is not None:
        onboarding.completed_at = onboarding.started_at + timedelta(days=2 + done * 3)


def load_demo_onboarding(
    session: Session, companies: dict[str, Company], admin: User, owner: User | None
) -> bool:
    acme, retail = companies.get("acme"), companies.get("acme-retail")
    if acme is None or retail is None:
        return False
    if session.exec(
        select(OnboardingTemplate.id).where(OnboardingTemplate.name == TEMPLATE_NAME)
    ).first():
        return False
    staff = Actor(
        kind="staff",
        user_id=admin.id,
        label=admin.display_name,
        nodes=frozenset({"*"}),
        company_ids=None,
    )
    template = create_template(
        session=session,
        actor=staff,
        data=TemplateCreate(
            name=TEMPLATE_NAME,
            description="From the kick-off call to the first campaigns live, in about six weeks.",
            stages=[StageIn(name=n, milestones=ms) for n, ms in STAGES],
        ),
    )
    _run(session, acme, template, done=11, days=400)
    _run(session, retail, template, done=5, days=20)
    now = utcnow()
    session.add(
        SuccessProfile(
            company_id=acme.id,  # type: ignore[arg-type]
            financial_year_start="April",
            financial_year_end="March",
            key_trading_periods="Black Friday to Christmas; the spring sale in March.",
            channel_online_pct=55,
            channel_instore_pct=35,
            channel_wholesale_pct=10,
            celebration_vision="Online revenue past a million a year, with ads paying back 3×.",
            growth_priorities_text="Grow the online store; fewer, better campaigns.",
            company_direction_text="Opening two stores next year; online leads the brand.",
            completed_at=now - timedelta(days=390),
            completed_by_id=owner.id if owner else None,
            updated_at=now - timedelta(days=40),
        )
    )
    for i, (metric, target, unit, key) in enumerate(
        [
            ("Online revenue", Decimal("95000"), "USD", "revenue"),
            ("Store orders", Decimal("1000"), "orders", "orders"),
            ("Return on ad spend", Decimal("3.2"), "×", "roas"),
        ]
    ):
        session.add(
            ClientGoal(
                company_id=acme.id,  # type: ignore[arg-type]
                position=i,
                metric=metric,
                target=target,
                unit=unit,
                period="month",
                metric_key=key,
                metric_label=metric,
            )
        )
    presented = Qbr(
        company_id=acme.id,  # type: ignore[arg-type]
        title="Q3 2026 review",
        quarter="2026-Q3",
        summary="Revenue grew quarter on quarter while ad spend held flat.",
        status="presented",
        presented_at=now - timedelta(days=50),
        created_by_id=admin.id,
    )
    draft = Qbr(
        company_id=acme.id,  # type: ignore[arg-type]
        title="Q4 2026 review",
        quarter="2026-Q4",
        summary="Draft: numbers land after the holiday season.",
        created_by_id=admin.id,
    )
    session.add_all([presented, draft])
    session.flush()
    for i, (title, body, vis) in enumerate(
        [
            ("Results", "Revenue up 12% on Q2; ROAS steady above 3×.", "visible"),
            (
                "What we shipped",
                "Homepage redesign, the window poster, shopping campaigns.",
                "visible",
            ),
            ("Next quarter", "Holiday campaigns from November; a loyalty email series.", "visible"),
            (
                "Account health (internal)",
                "Renewal in March: propose the retainer uplift.",
                "internal",
            ),
        ]
    ):
        session.add(
            QbrSection(
                company_id=acme.id,  # type: ignore[arg-type]
                qbr_id=presented.id,  # type: ignore[arg-type]
                position=i,
                title=title,
                body=body,
                portal_visibility=vis,
            )
        )
    session.flush()
    return True
