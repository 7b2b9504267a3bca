"""A project's plan: goals, members, decisions, the summary and the linked roadmap.

Every row carries its project's ``company_id`` so the tenancy core scopes it directly.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow


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
