"""Tasks: task lists, tasks on a project's kanban, their assignees and comments.

Besides the tables, the input families every edge validates with (HTML forms, the portal
worker and the integrations API alike): :class:`TaskCreate` / :class:`TaskUpdate`,
:class:`TaskCommentCreate`, :class:`RequestCreate` and the board's :class:`TaskFilters`.
Length and format rules are written here once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

import pydantic
from pydantic import AfterValidator, BeforeValidator, ConfigDict, StrictBool, StrictInt
from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel, col

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel
from portal.web.args import MAX_ID, parse_int

TaskStatusValue = Literal["open", "up_next", "in_progress", "complete"]
TaskPriorityValue = Literal["low", "medium", "high", "urgent"]
TaskTypeValue = Literal["task", "bug", "feature", "request", "milestone", "design", "content"]
TaskViewValue = Literal["board", "list", "calendar"]
DueFilterValue = Literal["overdue", "week", "none"]

TASK_STATUSES: tuple[str, ...] = get_args(TaskStatusValue)
TASK_PRIORITIES: tuple[str, ...] = get_args(TaskPriorityValue)
TASK_TYPES: tuple[str, ...] = get_args(TaskTypeValue)
TASK_VIEWS: tuple[str, ...] = get_args(TaskViewValue)
DUE_FILTER_KEYS: tuple[str, ...] = get_args(DueFilterValue)

# SLA for client requests, in hours per priority (the agency may override any of them).
DEFAULT_SLA_HOURS: dict[str, int] = {"urgent": 4, "high": 24, "medium": 72, "low": 120}

TITLE_MAX = 300
DESCRIPTION_MAX = 10_000
COMMENT_MAX = 5_000
LIST_NAME_MAX = 200
ASSIGNEES_MAX = 50


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
    status: str = Field(default="open", max_length=16, index=True)
    priority: str = Field(default="medium", max_length=16, index=True)
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

    @classmethod
    def __staff_only__(cls) -> Any:
        """Private tasks are for the agency's eyes only (``scoped()`` hides them from others)."""
        return col(cls.is_private)


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


# Input families ------------------------------------------------------------------------------


def _text_rule(*, empty: str, too_long: str, limit: int) -> Callable[[str], str]:
    """Required text of at most ``limit`` characters, with the messages people see."""

    def check(value: str) -> str:
        if not value:
            raise ValueError(empty)
        if len(value) > limit:
            raise ValueError(too_long)
        return value

    return check


_TITLE_SCHEMA = pydantic.WithJsonSchema({"type": "string", "minLength": 1, "maxLength": TITLE_MAX})
_TITLE_TOO_LONG = f"Keep the title under {TITLE_MAX} characters."
TaskTitle = Annotated[
    str,
    AfterValidator(
        _text_rule(empty="Give the task a title.", too_long=_TITLE_TOO_LONG, limit=TITLE_MAX)
    ),
    _TITLE_SCHEMA,
]
RequestTitle = Annotated[
    str,
    AfterValidator(
        _text_rule(
            empty="Tell us what you need in a few words.", too_long=_TITLE_TOO_LONG, limit=TITLE_MAX
        )
    ),
    _TITLE_SCHEMA,
]
Description = Annotated[str, pydantic.Field(max_length=DESCRIPTION_MAX)]
CommentBody = Annotated[
    str,
    AfterValidator(
        _text_rule(
            empty="Write something first.",
            too_long="Keep comments under 5,000 characters.",
            limit=COMMENT_MAX,
        )
    ),
    pydantic.WithJsonSchema({"type": "string", "minLength": 1, "maxLength": COMMENT_MAX}),
]
ListName = Annotated[str, pydantic.Field(max_length=LIST_NAME_MAX)]


def _blank_is_none(value: Any) -> Any:
    """An empty form field (a cleared date, "No list") means no value."""
    return None if isinstance(value, str) and not value.strip() else value


def _form_int(value: Any) -> Any:
    """Forms send ids as text: digits become an int (``portal.web.args``); JSON ids stay strict."""
    if isinstance(value, str):
        number = parse_int(value)
        return value if number is None else number
    return value


def _iso_date(value: Any) -> Any:
    """Dates travel as ``YYYY-MM-DD`` (a date input, JSON); no timestamps or numbers."""
    value = _blank_is_none(value)
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("Use a date like 2026-12-31.")


RowId = Annotated[StrictInt, pydantic.Field(ge=1, le=MAX_ID), BeforeValidator(_form_int)]
OptionalId = Annotated[RowId | None, BeforeValidator(_blank_is_none)]
DueDate = Annotated[date | None, BeforeValidator(_iso_date)]


class TaskCreate(InputModel):
    """A new task: the kanban's "Add a task" form and ``POST /api/v1/portals/{id}/tasks``."""

    model_config = ConfigDict(populate_by_name=True)

    title: TaskTitle
    description: Description = ""
    status: TaskStatusValue = "open"
    priority: TaskPriorityValue = "medium"
    type: TaskTypeValue = "task"
    due_date: DueDate = None
    project_id: OptionalId = pydantic.Field(
        default=None, description="Default: the portal's latest active project."
    )
    list_id: OptionalId = None
    list_name: ListName | None = pydantic.Field(
        default=None, alias="list", description="Task list name; created when missing."
    )
    assignee_ids: list[RowId] = pydantic.Field(default_factory=list, max_length=ASSIGNEES_MAX)
    is_private: StrictBool = pydantic.Field(
        default=False, description="Only the agency sees private tasks (staff only)."
    )
    is_milestone: StrictBool = False


# Fields whose ``null`` clears the value; for every other field of TaskUpdate it means "unchanged".
CLEARABLE_FIELDS = frozenset({"description", "due_date", "list_id", "list_name"})


class TaskUpdate(InputModel):
    """Changes to a task (the drawer's edit form, ``PATCH /api/v1/tasks/{id}``): only the
    fields sent change; ``status`` moves the task and ``assignee_ids`` replaces its assignees."""

    model_config = ConfigDict(populate_by_name=True)

    title: TaskTitle | None = None
    description: Description | None = None
    status: TaskStatusValue | None = None
    priority: TaskPriorityValue | None = None
    type: TaskTypeValue | None = None
    due_date: DueDate = None
    list_id: OptionalId = None
    list_name: ListName | None = pydantic.Field(
        default=None, alias="list", description="Task list name; created when missing."
    )
    assignee_ids: list[RowId] | None = pydantic.Field(default=None, max_length=ASSIGNEES_MAX)
    is_milestone: StrictBool | None = None
    is_private: StrictBool | None = None

    def changes(self) -> dict[str, Any]:
        """The fields sent, ``null`` dropped where it means "unchanged"."""
        return {
            name: getattr(self, name)
            for name in self.model_fields_set
            if getattr(self, name) is not None or name in CLEARABLE_FIELDS
        }


class TaskCommentCreate(InputModel):
    body: CommentBody


def _priority_or_medium(value: Any) -> Any:
    """A request's priority: blank means medium; case does not matter."""
    value = _blank_is_none(value)
    if value is None:
        return "medium"
    return value.lower() if isinstance(value, str) else value


class RequestCreate(InputModel):
    """A client request (reference 000): the requests form and ``POST /api/portal/requests``."""

    title: RequestTitle
    description: Description = ""
    priority: Annotated[TaskPriorityValue, BeforeValidator(_priority_or_medium)] = "medium"
    project_id: OptionalId = None


def _known(choices: tuple[str, ...]) -> Callable[[Any], Any]:
    return lambda value: value if value in choices else None


def _month(value: Any) -> date | None:
    """``YYYY-MM`` as the month's first day; anything else is no month."""
    try:
        year, month = (int(part) for part in str(value).split("-", 1))
        return date(year, month, 1)
    except ValueError:
        return None


BOARD_CARDS = 25  # a board column's cards at first, and the step of "Show more"
MAX_BOARD_CARDS = 500


def _board_cards(value: Any) -> int:
    n = parse_int(value)
    if n is None:
        return BOARD_CARDS
    return min(max(n, BOARD_CARDS), MAX_BOARD_CARDS)


class TaskFilters(InputModel):
    """The board's query string; values that mean nothing are ignored, never an error."""

    view: Annotated[TaskViewValue, BeforeValidator(lambda v: v if v in TASK_VIEWS else "board")] = (
        "board"
    )
    project: Annotated[int | None, BeforeValidator(parse_int)] = None
    assignee: Annotated[int | None, BeforeValidator(parse_int)] = None
    due: Annotated[DueFilterValue | None, BeforeValidator(_known(DUE_FILTER_KEYS))] = None
    priority: Annotated[TaskPriorityValue | None, BeforeValidator(_known(TASK_PRIORITIES))] = None
    month: Annotated[date | None, BeforeValidator(_month)] = None
    # cards shown per board column ("Show more" adds a step); the rest are counted only
    cards: Annotated[int, BeforeValidator(_board_cards)] = BOARD_CARDS

    @property
    def active(self) -> bool:
        return any((self.assignee, self.due, self.priority))

    def query(self) -> dict[str, Any]:
        """The active filters as query arguments (for links that keep them)."""
        pairs = (("assignee", self.assignee), ("due", self.due), ("priority", self.priority))
        return {k: v for k, v in pairs if v}
