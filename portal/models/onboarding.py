"""Client success (SPEC §5.7, §5.9; reference 000): onboarding, the success profile, QBRs.

* Onboarding: the agency's templates (stages with milestones) and one client's run through
  one of them. The run keeps its counts and current stage beside it (updated with every
  milestone), so the dashboard reads its progress with the portal, at no extra query.
* The success profile: the questionnaire's answers (reference 000's field names) and the
  client's goals, whose known metrics become the Results tab's targets.
* QBRs: staff-authored quarterly reviews with sections; a section's ``portal_visibility``
  keeps internal ones from the client, and only presented reviews reach the client at all.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

import pydantic
from sqlalchemy import Column, ForeignKey, Integer, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel


def _fk(table: str, *, index: bool = True, nullable: bool = False, ondelete: str = "CASCADE"):
    return Column(
        Integer, ForeignKey(f"{table}.id", ondelete=ondelete), index=index, nullable=nullable
    )


# Onboarding -------------------------------------------------------------------------------------


class OnboardingTemplate(SQLModel, table=True):
    """The agency's onboarding plan (shared by every client, like portal templates)."""

    __tablename__ = "onboarding_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OnboardingStage(SQLModel, table=True):
    """One stage of a template, in order; ``stage_type`` names it for integrations."""

    __tablename__ = "onboarding_stage"

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(sa_column=_fk("onboarding_template"))
    position: int = 0
    name: str = Field(max_length=120)
    stage_type: str = Field(max_length=40)


class OnboardingMilestone(SQLModel, table=True):
    """One milestone of a stage, in order."""

    __tablename__ = "onboarding_milestone"

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(sa_column=_fk("onboarding_template"))
    stage_id: int = Field(sa_column=_fk("onboarding_stage"))
    position: int = 0
    title: str = Field(max_length=200)


class ClientOnboarding(SQLModel, table=True):
    """A company's run through a template (one per company), with its progress kept beside it."""

    __tenant_column__ = "company_id"
    __tablename__ = "client_onboarding"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("company.id", ondelete="CASCADE"),
            unique=True,
            index=True,
            nullable=False,
        )
    )
    template_id: int = Field(sa_column=_fk("onboarding_template", ondelete="RESTRICT"))
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    total_milestones: int = 0
    completed_milestones: int = 0
    current_stage_type: str | None = Field(default=None, max_length=40)
    current_stage_name: str | None = Field(default=None, max_length=120)

    @property
    def completion_percentage(self) -> int:
        if not self.total_milestones:
            return 0
        return self.completed_milestones * 100 // self.total_milestones


class OnboardingMilestoneDone(SQLModel, table=True):
    """A milestone a company has completed."""

    __tenant_column__ = "company_id"
    __tablename__ = "onboarding_milestone_done"
    __table_args__ = (UniqueConstraint("onboarding_id", "milestone_id"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=_fk("company"))
    onboarding_id: int = Field(sa_column=_fk("client_onboarding", index=False))
    milestone_id: int = Field(sa_column=_fk("onboarding_milestone"))
    completed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_by_id: int | None = Field(
        default=None, sa_column=_fk("user", nullable=True, ondelete="SET NULL")
    )


# Success profile --------------------------------------------------------------------------------


class SuccessProfile(SQLModel, table=True):
    """The client's answers to the success questionnaire (reference 000's fields)."""

    __tenant_column__ = "company_id"
    __tablename__ = "success_profile"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("company.id", ondelete="CASCADE"),
            unique=True,
            index=True,
            nullable=False,
        )
    )
    financial_year_start: str = Field(default="", max_length=40)
    financial_year_end: str = Field(default="", max_length=40)
    key_trading_periods: str = Field(default="", sa_column=Column(Text, nullable=False))
    channel_online_pct: int | None = None
    channel_instore_pct: int | None = None
    channel_wholesale_pct: int | None = None
    celebration_vision: str = Field(default="", sa_column=Column(Text, nullable=False))
    growth_priorities_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    company_direction_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_by_id: int | None = Field(
        default=None, sa_column=_fk("user", nullable=True, ondelete="SET NULL")
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ClientGoal(SQLModel, table=True):
    """A goal the client set in the questionnaire; a known ``metric_key`` drives its target."""

    __tenant_column__ = "company_id"
    __tablename__ = "client_goal"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=_fk("company"))
    position: int = 0
    metric: str = Field(max_length=200)
    target: Decimal = Field(sa_column=Column(Numeric(16, 2), nullable=False))
    unit: str = Field(default="", max_length=20)
    period: str = Field(default="month", max_length=16)
    metric_key: str | None = Field(default=None, max_length=32)
    metric_label: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# QBRs -------------------------------------------------------------------------------------------


class QbrStatus(StrEnum):
    draft = "draft"
    presented = "presented"


class SectionVisibility(StrEnum):
    visible = "visible"
    internal = "internal"


class Qbr(SQLModel, table=True):
    """A quarterly business review the agency writes for a client."""

    __tenant_column__ = "company_id"
    __tablename__ = "qbr"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=_fk("company"))
    title: str = Field(max_length=200)
    quarter: str = Field(max_length=16)  # "2026-Q3"
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(default=QbrStatus.draft.value, max_length=16)
    presented_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(
        default=None, sa_column=_fk("user", nullable=True, ondelete="SET NULL")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QbrSection(SQLModel, table=True):
    """A section of a QBR; ``internal`` ones are the agency's own notes."""

    __tenant_column__ = "company_id"
    __tablename__ = "qbr_section"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=_fk("company"))
    qbr_id: int = Field(sa_column=_fk("qbr"))
    position: int = 0
    title: str = Field(max_length=200)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    portal_visibility: str = Field(default=SectionVisibility.visible.value, max_length=16)


# Input families ---------------------------------------------------------------------------------

GoalPeriod = Literal["week", "month", "quarter", "year"]


class GoalIn(InputModel):
    """A goal: what (``metric``/``metric_label``), how much (``target`` in ``unit``), per
    ``period``; ``metric_key`` names a Results metric when the goal is one."""

    metric: str = pydantic.Field(min_length=1, max_length=200)
    target: Decimal = pydantic.Field(ge=0, le=Decimal("99999999999999"), decimal_places=2)
    unit: str = pydantic.Field(default="", max_length=20)
    period: GoalPeriod = "month"
    metric_key: str | None = pydantic.Field(default=None, max_length=32)
    metric_label: str = pydantic.Field(default="", max_length=120)


Pct = Annotated[int, pydantic.Field(ge=0, le=100)]


class ProfileSubmit(InputModel):
    """The success questionnaire (reference 000); ``goals``, when sent, replace the goals."""

    financial_year_start: str = pydantic.Field(default="", max_length=40)
    financial_year_end: str = pydantic.Field(default="", max_length=40)
    key_trading_periods: str = pydantic.Field(default="", max_length=4000)
    channel_online_pct: Pct | None = None
    channel_instore_pct: Pct | None = None
    channel_wholesale_pct: Pct | None = None
    celebration_vision: str = pydantic.Field(default="", max_length=4000)
    growth_priorities_text: str = pydantic.Field(default="", max_length=4000)
    company_direction_text: str = pydantic.Field(default="", max_length=4000)
    goals: list[GoalIn] | None = pydantic.Field(default=None, max_length=20)

    @pydantic.model_validator(mode="after")
    def _channels(self) -> ProfileSubmit:
        total = sum(
            p or 0
            for p in (self.channel_online_pct, self.channel_instore_pct, self.channel_wholesale_pct)
        )
        if total > 100:
            raise ValueError("The channel percentages add up to more than 100.")
        return self


class QbrCreate(InputModel):
    title: str = pydantic.Field(min_length=1, max_length=200)
    quarter: str = pydantic.Field(pattern=r"^\d{4}-Q[1-4]$")
    summary: str = pydantic.Field(default="", max_length=8000)


class QbrSectionCreate(InputModel):
    title: str = pydantic.Field(min_length=1, max_length=200)
    body: str = pydantic.Field(default="", max_length=20000)
    portal_visibility: Literal["visible", "internal"] = "visible"


class StageIn(InputModel):
    name: str = pydantic.Field(min_length=1, max_length=120)
    milestones: list[str] = pydantic.Field(min_length=1, max_length=30)


class TemplateCreate(InputModel):
    name: str = pydantic.Field(min_length=1, max_length=200)
    description: str = pydantic.Field(default="", max_length=2000)
    stages: list[StageIn] = pydantic.Field(min_length=1, max_length=20)
