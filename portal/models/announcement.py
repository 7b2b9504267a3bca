from __future__ import annotations

from datetime import datetime

from pydantic import Field as InputField
from pydantic import field_validator
from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel
from portal.web.args import MAX_ID

ANNOUNCEMENT_MAX_TITLE = 200
ANNOUNCEMENT_MAX_BODY = 20_000


class Announcement(SQLModel, table=True):
    """News from the agency: for one company's portal, or for every portal (``company_id`` null)."""

    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True),
    )
    title: str = Field(max_length=ANNOUNCEMENT_MAX_TITLE)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    author_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    )
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AnnouncementCreate(InputModel):
    """An announcement to publish: to one company's portal, or (``company_id`` None) to all."""

    title: str = InputField(default="", validate_default=True)
    body: str = ""
    company_id: int | None = InputField(default=None, ge=1, le=MAX_ID)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value:
            raise ValueError("Give the announcement a title.")
        if len(value) > ANNOUNCEMENT_MAX_TITLE:
            raise ValueError(f"Keep the title under {ANNOUNCEMENT_MAX_TITLE} characters.")
        return value

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        if len(value) > ANNOUNCEMENT_MAX_BODY:
            raise ValueError(f"Keep it under {ANNOUNCEMENT_MAX_BODY:,} characters.")
        return value
