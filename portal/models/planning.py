"""A project's plan: goals, members, decisions, the summary and the linked roadmap.

Every row carries its project's ``company_id`` so the tenancy core scopes it directly. The
input models (``GoalCreate``, ``DecisionCreate``, …) hold the rules of what may be written,
once, for every edge that writes a plan.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, field_validator
from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel
from portal.web.args import parse_int


class GoalStatus(StrEnum):
    on_track = "on_track"
    at_risk = "at_risk"
    done = "done"


class RoadmapStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"


class SummarySource(StrEnum):
    manual = "manual"
    generated = "generated"


def _company_fk() -> Column:
    return Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False)


def _project_fk(*, index: bool = True) -> Column:
    return Column(
        Integer, ForeignKey("project.id", ondelete="CASCADE"), index=index, nullable=False
    )


class ProjectGoal(SQLModel, table=True):
    """An outcome the project works towards, with a target and a status."""

    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=_company_fk())
    project_id: int = Field(sa_column=_project_fk())
    title: str = Field(max_length=200)
    target: str = Field(default="", max_length=300)
    status: str = Field(default=GoalStatus.on_track.value, max_length=16)
    due_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProjectMember(SQLModel, table=True):
    """A person on a project, with the role they play there ("Designer", "Sponsor")."""

    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=_company_fk())
    project_id: int = Field(sa_column=_project_fk(index=False))
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    role_label: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Decision(SQLModel, table=True):
    """A decision taken on the project: what, why, who decided and when."""

    __tenant_column__ = "company_id"
    __table_args__ = (Index("ix_decision_project_decided", "project_id", "decided_at"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=_company_fk())
    project_id: int = Field(sa_column=_project_fk(index=False))
    title: str = Field(max_length=200)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decided_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProjectSummary(SQLModel, table=True):
    """The project's summary (reference 000 ``aiSummary``); the newest row is current."""

    __tenant_column__ = "company_id"
    __table_args__ = (Index("ix_projectsummary_project_generated", "project_id", "generated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=_company_fk())
    project_id: int = Field(sa_column=_project_fk(index=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(default=SummarySource.generated.value, max_length=16)
    generated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Roadmap(SQLModel, table=True):
    """The roadmap linked to a project (at most one per project)."""

    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=_company_fk())
    project_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("project.id", ondelete="CASCADE"), unique=True, nullable=False
        )
    )
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RoadmapItem(SQLModel, table=True):
    """One step on a roadmap, ordered by ``sort_order`` within its status."""

    __tenant_column__ = "company_id"
    __table_args__ = (Index("ix_roadmapitem_roadmap_sort", "roadmap_id", "sort_order"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=_company_fk())
    roadmap_id: int = Field(
        sa_column=Column(Integer, ForeignKey("roadmap.id", ondelete="CASCADE"), nullable=False)
    )
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    status: str = Field(default=RoadmapStatus.planned.value, max_length=16)
    quarter: str = Field(default="", max_length=16)
    target_date: date | None = None
    sort_order: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# Input ---------------------------------------------------------------------------------------


def _text(value: str, *, limit: int, too_long: str, missing: str | None = None) -> str:
    if missing is not None and not value:
        raise ValueError(missing)
    if len(value) > limit:
        raise ValueError(too_long)
    return value


def _day(raw: Any) -> Any:
    """A form's ISO date (``""`` is no date); anything else goes on to pydantic unchanged."""
    if raw is None or isinstance(raw, date):
        return raw
    text = str(raw).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("Use a date like 2026-03-31.") from None


def _goal_status(raw: Any) -> GoalStatus:
    if raw not in {s.value for s in GoalStatus}:
        raise ValueError("Choose on track, at risk or done.")
    return GoalStatus(raw)


class GoalCreate(InputModel):
    """A new goal: the outcome, its target or metric, its status and (optionally) when."""

    model_config = ConfigDict(validate_default=True)

    title: str = ""
    target: str = ""
    status: GoalStatus = GoalStatus.on_track
    due_on: date | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return _text(
            value,
            missing="Name the goal.",
            limit=200,
            too_long="Keep the goal under 200 characters.",
        )

    @field_validator("target")
    @classmethod
    def _target(cls, value: str) -> str:
        return _text(value, limit=300, too_long="Keep the target under 300 characters.")

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, raw: Any) -> GoalStatus:
        return _goal_status(raw)

    @field_validator("due_on", mode="before")
    @classmethod
    def _due_on(cls, raw: Any) -> Any:
        return _day(raw)


class GoalStatusUpdate(InputModel):
    """A goal moved to on track, at risk or done."""

    status: GoalStatus

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, raw: Any) -> GoalStatus:
        return _goal_status(raw)


class DecisionCreate(InputModel):
    """A decision to log. ``decided_by_id`` None means the author decided; ``decided_on`` None
    means today. Whether the decider is on the project is the service's check."""

    model_config = ConfigDict(validate_default=True)

    title: str = ""
    detail: str = ""
    decided_by_id: int | None = None
    decided_on: date | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return _text(
            value,
            missing="Say what was decided.",
            limit=200,
            too_long="Keep the decision under 200 characters; add the rest as detail.",
        )

    @field_validator("detail")
    @classmethod
    def _detail(cls, value: str) -> str:
        return _text(
            value, limit=5000, too_long="The detail is too long (5,000 characters at most)."
        )

    @field_validator("decided_by_id", mode="before")
    @classmethod
    def _decided_by(cls, raw: Any) -> int | None:
        if raw is None or raw == "":
            return None
        value = parse_int(raw, minimum=1)
        if value is None:
            raise ValueError("Choose who decided.")
        return value

    @field_validator("decided_on", mode="before")
    @classmethod
    def _decided_on_format(cls, raw: Any) -> Any:
        return _day(raw)

    @field_validator("decided_on")
    @classmethod
    def _decided_on_past(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise ValueError("A decision can't be dated in the future.")
        return value


class SummaryCreate(InputModel):
    """A summary written by the team (the generated one needs no input)."""

    model_config = ConfigDict(validate_default=True)

    body: str = ""

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        return _text(
            value,
            missing="Write the summary, or use Regenerate.",
            limit=4000,
            too_long="Keep the summary under 4,000 characters.",
        )
