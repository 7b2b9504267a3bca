from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow


class Project(SQLModel, table=True):
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    status: str = Field(default="active", max_length=16, index=True)
    lead_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    start_date: date | None = None
    due_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
