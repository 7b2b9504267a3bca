from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow

NOTE_RESOURCE_TYPES: tuple[str, ...] = ("project", "deliverable", "invoice", "budget")


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
