from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow


class PageFormat(StrEnum):
    markdown = "markdown"
    html = "html"


class Page(SQLModel, table=True):
    """A staff-authored rich page published to a company (optionally about one project).

    ``body`` is what the author wrote; ``body_html`` is its sanitised rendering, the only
    form ever shown. Unpublished pages (``published_at`` null) are drafts, staff-only.
    """

    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    project_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("project.id", ondelete="SET NULL"), index=True),
    )
    title: str = Field(max_length=200)
    slug: str = Field(max_length=120)
    summary: str = Field(default="", max_length=300)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    body_format: str = Field(default=PageFormat.markdown.value, max_length=16)
    body_html: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    author_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
