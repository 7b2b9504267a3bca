"""The Onboarding tab's view data: progress, the success profile and goals, the reviews."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from portal.models import ClientRole
from portal.models.onboarding import ClientGoal, OnboardingTemplate, SuccessProfile
from portal.tenancy import Actor, role_at_least, staff_can
from services.onboarding import MANAGE_NODE, OnboardingView, list_templates, onboarding_for
from services.onboarding.profile import goal_text, profile_of
from services.onboarding.qbrs import QbrView, qbrs_for
from services.results.metrics import METRICS, MetricDef


@dataclass(frozen=True)
class OnboardingTab:
    onboarding: OnboardingView | None
    profile: SuccessProfile | None
    goals: list[ClientGoal]
    qbrs: list[QbrView]
    can_answer: bool  # the questionnaire: collaborator+ (and staff)
    can_manage: bool  # staff with onboarding.manage: start, tick milestones, write reviews
    templates: list[OnboardingTemplate] = field(default_factory=list)
    metrics: tuple[MetricDef, ...] = METRICS

    def goal_text(self, goal: ClientGoal) -> str:
        return goal_text(goal)


def onboarding_tab(
    session: Session, *, actor: Actor, company_id: int, writable: bool
) -> OnboardingTab:
    """Everything the tab shows; ``writable`` is False on a read-only (archived) portal."""
    can_manage = writable and staff_can(actor, MANAGE_NODE)
    profile, goals = profile_of(session, actor=actor, company_id=company_id)
    return OnboardingTab(
        onboarding=onboarding_for(session, actor=actor, company_id=company_id),
        profile=profile,
        goals=goals,
        qbrs=qbrs_for(session, actor=actor, company_id=company_id),
        can_answer=writable and role_at_least(actor, ClientRole.collaborator),
        can_manage=can_manage,
        templates=list_templates(session, actor=actor) if can_manage else [],
    )
