"""Files attached to a task: a link between a task and a file of the same company."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow


class TaskAttachment(SQLModel, table=True):
    __tablename__ = "task_attachment"
    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("task_id", "file_id"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("task.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    file_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("portal_file.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    attached_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
