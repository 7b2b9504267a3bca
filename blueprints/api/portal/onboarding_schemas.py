"""Reference 000 shapes for the questionnaire, QBRs and onboarding (snake_case, string ids)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from portal.models.onboarding import ClientGoal, ProfileSubmit, SuccessProfile
from services.onboarding import OnboardingView
from services.onboarding.profile import PROFILE_FIELDS
from services.onboarding.qbrs import QbrView


class QuestionnaireIn(ProfileSubmit):
    """The success profile (reference 000's fields); ``goals`` replace the client's goals."""


class SuccessGoalOut(BaseModel):
    id: str
    metric: str
    target: float
    unit: str
    period: str
    metric_key: str | None
    metric_label: str


class SuccessProfileOut(BaseModel):
    financial_year_start: str
    financial_year_end: str
    key_trading_periods: str
    channel_online_pct: int | None
    channel_instore_pct: int | None
    channel_wholesale_pct: int | None
    celebration_vision: str
    growth_priorities_text: str
    company_direction_text: str
    completed_at: datetime | None
    updated_at: datetime
    goals: list[SuccessGoalOut]


class QuestionnaireOut(BaseModel):
    profile: SuccessProfileOut | None = Field(
        description="null until the questionnaire is first sent"
    )


class QuestionnaireSavedOut(BaseModel):
    ok: bool


class QbrSectionOut(BaseModel):
    id: str
    title: str
    body: str
    portal_visibility: str


class QbrOut(BaseModel):
    id: str
    title: str
    quarter: str
    summary: str
    status: str
    presented_at: datetime | None
    sections: list[QbrSectionOut]


class QbrsOut(BaseModel):
    qbrs: list[QbrOut]


class OnboardingMilestoneOut(BaseModel):
    id: str
    title: str
    completed: bool
    completed_at: datetime | None


class OnboardingStageOut(BaseModel):
    id: str
    name: str
    stage_type: str
    position: int
    completed: bool
    milestones: list[OnboardingMilestoneOut]


class OnboardingTemplateOut(BaseModel):
    id: str
    name: str
    description: str


class OnboardingOut(BaseModel):
    template: OnboardingTemplateOut | None
    stages: list[OnboardingStageOut]
    total_milestones: int
    completed_milestones: int
    completion_percentage: int
    current_stage_type: str | None
    started_at: datetime | None
    completed_at: datetime | None


def goal_out(g: ClientGoal) -> dict[str, Any]:
    return SuccessGoalOut(
        id=str(g.id),
        metric=g.metric,
        target=float(g.target),
        unit=g.unit,
        period=g.period,
        metric_key=g.metric_key,
        metric_label=g.metric_label,
    ).model_dump(mode="json")


def profile_out(profile: SuccessProfile | None, goals: list[ClientGoal]) -> dict[str, Any]:
    if profile is None:
        return {"profile": None}
    data = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    out = SuccessProfileOut(
        **data,
        completed_at=profile.completed_at,
        updated_at=profile.updated_at,
        goals=[SuccessGoalOut(**goal_out(g)) for g in goals],
    )
    return {"profile": out.model_dump(mode="json")}


def qbr_out(view: QbrView) -> dict[str, Any]:
    q = view.qbr
    return QbrOut(
        id=str(q.id),
        title=q.title,
        quarter=q.quarter,
        summary=q.summary,
        status=q.status,
        presented_at=q.presented_at,
        sections=[
            QbrSectionOut(
                id=str(s.id), title=s.title, body=s.body, portal_visibility=s.portal_visibility
            )
            for s in view.sections
        ],
    ).model_dump(mode="json")


def onboarding_out(view: OnboardingView | None) -> dict[str, Any]:
    if view is None:
        return OnboardingOut(
            template=None,
            stages=[],
            total_milestones=0,
            completed_milestones=0,
            completion_percentage=0,
            current_stage_type=None,
            started_at=None,
            completed_at=None,
        ).model_dump(mode="json")
    o, t = view.onboarding, view.template
    return OnboardingOut(
        template=OnboardingTemplateOut(id=str(t.id), name=t.name, description=t.description),
        stages=[
            OnboardingStageOut(
                id=str(s.stage.id),
                name=s.stage.name,
                stage_type=s.stage.stage_type,
                position=s.stage.position,
                completed=s.complete,
                milestones=[
                    OnboardingMilestoneOut(
                        id=str(m.milestone.id),
                        title=m.milestone.title,
                        completed=m.completed_at is not None,
                        completed_at=m.completed_at,
                    )
                    for m in s.milestones
                ],
            )
            for s in view.stages
        ],
        total_milestones=o.total_milestones,
        completed_milestones=o.completed_milestones,
        completion_percentage=o.completion_percentage,
        current_stage_type=o.current_stage_type,
        started_at=o.started_at,
        completed_at=o.completed_at,
    ).model_dump(mode="json")
