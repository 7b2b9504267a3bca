from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field as InputField
from pydantic import ValidationError, ValidatorFunctionWrapHandler, field_validator
from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel, col

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel
from portal.web.args import MAX_ID, parse_int

NOTE_RESOURCE_TYPES: tuple[str, ...] = ("project", "deliverable", "invoice", "budget")
NoteResourceType = Literal["project", "deliverable", "invoice", "budget"]
NOTE_MAX_BODY = 10_000


class Note(SQLModel, table=True):
    """A threaded note on a project, deliverable, invoice or budget (SPEC §5.5).

    Replies point at their thread's first note (one level of threading); internal notes are
    staff-only; deleted notes are kept (soft delete) so their thread stays readable.
    """

    __tenant_column__ = "company_id"
    __table_args__ = (
        Index("ix_note_company_resource", "company_id", "resource_type", "resource_id"),
        Index("ix_note_company_created", "company_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False)
    )
    resource_type: str = Field(max_length=16)
    resource_id: int
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("note.id", ondelete="CASCADE"), index=True),
    )
    author_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    body: str = Field(sa_column=Column(Text, nullable=False))
    is_internal: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @classmethod
    def __staff_only__(cls) -> Any:
        """Internal notes: clients never get them from ``scoped()`` (nor their replies)."""
        return col(cls.is_internal).is_(True)


def _optional_id(value: Any, message: str) -> int | None:
    if value is None or value == "":
        return None
    number = parse_int(value, minimum=1)
    if number is None:
        raise ValueError(message)
    return number


class NoteUpdate(InputModel):
    """The text of a note (markdown; ``@name`` mentions), the same rules everywhere."""

    body: str = InputField(json_schema_extra={"minLength": 1, "maxLength": NOTE_MAX_BODY})

    @field_validator("body")
    @classmethod
    def _body_length(cls, value: str) -> str:
        if not value:
            raise ValueError("Write something first.")
        if len(value) > NOTE_MAX_BODY:
            raise ValueError(f"Keep it under {NOTE_MAX_BODY:,} characters.")
        return value


class NoteCreate(NoteUpdate):
    """A new thread on a resource, or a reply to one (``parent_id``: the resource is the
    thread's). ``is_internal`` is for staff only."""

    resource_type: NoteResourceType = "project"
    resource_id: int | None = InputField(default=None, ge=1, le=MAX_ID)
    parent_id: int | None = InputField(default=None, ge=1, le=MAX_ID)
    is_internal: bool = False

    @field_validator("resource_type", mode="wrap")
    @classmethod
    def _known_resource(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> str:
        try:
            return str(handler(value))
        except ValidationError:
            raise ValueError("Notes can be added to projects.") from None

    @field_validator("resource_id", mode="before")
    @classmethod
    def _resource_id(cls, value: Any) -> int | None:
        return _optional_id(value, "Choose what this note is about.")

    @field_validator("parent_id", mode="before")
    @classmethod
    def _parent_id(cls, value: Any) -> int | None:
        return _optional_id(value, "No such note.")
