"""Tools & Links (reference 003): a portal's resource board of links, and the agency's guides."""

from __future__ import annotations

from datetime import datetime

import pydantic
from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel

URL_PATTERN = r"^https?://\S+$"


class ToolLink(SQLModel, table=True):
    """One link on a portal's Tools & Links board (a login, a shared drive, a booking page)."""

    __tablename__ = "tool_link"
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    title: str = Field(max_length=200)
    url: str = Field(max_length=1000)
    description: str = Field(default="", max_length=500)
    sort_order: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Guide(SQLModel, table=True):
    """An agency-wide support guide, written once and assigned to any number of portals."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=500)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    url: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GuideAssignment(SQLModel, table=True):
    """A guide shown in one company's portal."""

    __tablename__ = "guide_assignment"
    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("guide_id", "company_id"),)

    id: int | None = Field(default=None, primary_key=True)
    guide_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("guide.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )


class ToolLinkCreate(InputModel):
    title: str = pydantic.Field(min_length=1, max_length=200)
    url: str = pydantic.Field(min_length=1, max_length=1000, pattern=URL_PATTERN)
    description: str = pydantic.Field(default="", max_length=500)


class GuideCreate(InputModel):
    title: str = pydantic.Field(min_length=1, max_length=200)
    summary: str = pydantic.Field(default="", max_length=500)
    body: str = pydantic.Field(default="", max_length=20_000)
    url: str = pydantic.Field(default="", max_length=1000, pattern=r"^(https?://\S+)?$")
