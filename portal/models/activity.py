from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow


class ActivityLog(SQLModel, table=True):
    """One row per write: who did what to which object, in which company."""

    __tenant_column__ = "company_id"
    __table_args__ = (Index("ix_activitylog_company_created", "company_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"))
    )
    actor_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    actor_label: str = Field(default="", max_length=200)
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(default="", max_length=40)
    object_id: int | None = None
    object_label: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
