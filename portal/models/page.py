"""Pages: staff-authored rich pages, and the input a page is written from."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, StringConstraints, field_validator, model_validator
from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel, col

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel
from portal.web.args import parse_int

MAX_BODY = 100_000


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

    @classmethod
    def __staff_only__(cls) -> Any:
        """Drafts: ``scoped()`` never gives them to anyone but staff."""
        return col(cls.published_at).is_(None)


class PageCreate(InputModel):
    """A page as its author writes it. Whether the company and project are ones the author
    may publish to is the service's check."""

    model_config = ConfigDict(validate_default=True)

    title: str = ""
    summary: str = ""
    # kept as written: leading spaces mean something in markdown
    body: Annotated[str, StringConstraints(strip_whitespace=False)] = ""
    body_format: PageFormat = PageFormat.markdown
    company_id: int
    project_id: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _company_named(cls, data: Any) -> Any:
        # no company at all reads "Choose a company.", like a bad one
        if isinstance(data, dict) and "company_id" not in data:
            return {**data, "company_id": None}
        return data

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value:
            raise ValueError("Give the page a title.")
        if len(value) > 200:
            raise ValueError("Keep the title under 200 characters.")
        return value

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str) -> str:
        if len(value) > 300:
            raise ValueError("Keep the summary under 300 characters.")
        return value

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        if len(value) > MAX_BODY:
            raise ValueError("The page is too long (100,000 characters at most).")
        return value

    @field_validator("body_format", mode="before")
    @classmethod
    def _body_format(cls, raw: Any) -> PageFormat:
        if raw not in {f.value for f in PageFormat}:
            raise ValueError("Choose markdown or HTML.")
        return PageFormat(raw)

    @field_validator("company_id", mode="before")
    @classmethod
    def _company_id(cls, raw: Any) -> int:
        value = parse_int(raw, minimum=1)
        if value is None:
            raise ValueError("Choose a company.")
        return value

    @field_validator("project_id", mode="before")
    @classmethod
    def _project_id(cls, raw: Any) -> int | None:
        if raw is None or raw == "":
            return None
        value = parse_int(raw, minimum=1)
        if value is None:
            raise ValueError("Choose one of this company's projects.")
        return value


class PageUpdate(PageCreate):
    """An edited page: the whole form again (a page is saved as a whole)."""
