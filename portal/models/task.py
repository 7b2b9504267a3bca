"""Tasks: task lists, tasks on a project's kanban, their assignees and comments."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow


class TaskStatus(StrEnum):
    open = "open"
    up_next = "up_next"
    in_progress = "in_progress"
    complete = "complete"


class TaskPriority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    urgent = "urgent"


TASK_STATUSES: tuple[str, ...] = tuple(s.value for s in TaskStatus)
TASK_PRIORITIES: tuple[str, ...] = tuple(p.value for p in TaskPriority)
TASK_TYPES: tuple[str, ...] = (
    "task",
    "bug",
    "feature",
    "request",
    "milestone",
    "design",
    "content",
)

# SLA for client requests, in hours per priority (the agency may override any of them).
DEFAULT_SLA_HOURS: dict[str, int] = {"urgent": 4, "high": 24, "medium": 72, "low": 120}


class TaskList(SQLModel, table=True):
    """A named group of tasks within a project (reference 003 "task lists")."""

    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    project_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("project.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    name: str = Field(max_length=200)
    sort_order: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Task(SQLModel, table=True):
    __tenant_column__ = "company_id"
    __table_args__ = (
        Index("ix_task_project_status_order", "project_id", "status", "sort_order"),
        Index("ix_task_company_due", "company_id", "due_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    project_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("project.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    list_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("tasklist.id", ondelete="SET NULL"), index=True),
    )
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default=TaskStatus.open.value, max_length=16, index=True)
    priority: str = Field(default=TaskPriority.medium.value, max_length=16, index=True)
    type: str = Field(default="task", max_length=24)
    due_date: date | None = Field(default=None, index=True)
    sla_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sort_order: int = 0
    is_private: bool = Field(default=False, index=True)
    is_milestone: bool = False
    is_request: bool = Field(default=False, index=True)
    requested_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TaskAssignee(SQLModel, table=True):
    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("task_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    task_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("task.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )


class TaskComment(SQLModel, table=True):
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    task_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("task.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    author_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    author_label: str = Field(default="", max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
