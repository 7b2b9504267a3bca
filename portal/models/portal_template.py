"""Portal templates: what a new portal starts with (reference 003 "Using Portal Templates")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pydantic
from pydantic import field_validator
from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel

MAX_TEMPLATE_LINES = 100


class PortalTemplate(SQLModel, table=True):
    """The agency's starting point for new portals: task lists, tools & links, a welcome.

    ``task_lists`` is ``[{"name": str, "tasks": [str, ...]}]``; ``tools`` is
    ``[{"title": str, "url": str}]``. Applying a template copies them into the portal, so
    later edits to the template never change portals made from it.
    """

    __tablename__ = "portal_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    description: str = Field(default="", max_length=500)
    welcome_message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    task_lists: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    tools: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TemplateTaskList(pydantic.BaseModel):
    name: str = pydantic.Field(min_length=1, max_length=200)
    tasks: list[str] = pydantic.Field(default_factory=list, max_length=MAX_TEMPLATE_LINES)

    @field_validator("tasks")
    @classmethod
    def _titles(cls, value: list[str]) -> list[str]:
        titles = [t.strip() for t in value if t.strip()]
        if any(len(t) > 300 for t in titles):
            raise ValueError("A task title is at most 300 characters.")
        return titles


class TemplateTool(pydantic.BaseModel):
    title: str = pydantic.Field(min_length=1, max_length=200)
    url: str = pydantic.Field(min_length=1, max_length=1000, pattern=r"^https?://\S+$")


class PortalTemplateCreate(InputModel):
    """A template as staff write it (the admin form turns its text boxes into these lists)."""

    name: str = pydantic.Field(min_length=1, max_length=120)
    description: str = pydantic.Field(default="", max_length=500)
    welcome_message: str = pydantic.Field(default="", max_length=4000)
    task_lists: list[TemplateTaskList] = pydantic.Field(
        default_factory=list, max_length=MAX_TEMPLATE_LINES
    )
    tools: list[TemplateTool] = pydantic.Field(default_factory=list, max_length=MAX_TEMPLATE_LINES)
