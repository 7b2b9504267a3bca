"""Deliverables: work sent for client approval, its versions and the approval receipts.

The tables, then the input families the Deliverables tab's forms and the API both validate with.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, cast
from urllib.parse import urlparse

import pydantic
from pydantic import BeforeValidator
from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint, event, func, text
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Field, SQLModel, col

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel
from portal.web.args import parse_int


class DeliverableStatus(StrEnum):
    pending = "pending"
    in_review = "in_review"
    revision_requested = "revision_requested"
    approved = "approved"


DEFAULT_REVISIONS_ALLOWED = 2
MAX_REVISIONS = 50


class DeliverableSettings(SQLModel, table=True):
    """Agency-wide deliverable settings (one row): the default revision allowance."""

    id: int | None = Field(default=None, primary_key=True)
    default_revisions_allowed: int = DEFAULT_REVISIONS_ALLOWED


class DeliverableCategory(SQLModel, table=True):
    """A category; ``revisions_allowed`` None falls back to the global default."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True, index=True)
    name: str = Field(max_length=120)
    revisions_allowed: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Deliverable(SQLModel, table=True):
    """One piece of work under review; its id stays stable across versions."""

    __tenant_column__ = "company_id"
    __table_args__ = (
        Index("ix_deliverable_company_status", "company_id", "status"),
        Index("ix_deliverable_company_updated", "company_id", "updated_at"),
        # the approvals queue across every portal: open deliverables only, newest first
        Index(
            "ix_deliverable_open_updated",
            "updated_at",
            postgresql_where=text("status <> 'approved'"),
            sqlite_where=text("status <> 'approved'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False)
    )
    project_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("project.id", ondelete="SET NULL"), index=True),
    )
    category_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("deliverablecategory.id", ondelete="SET NULL"), index=True
        ),
    )
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    linked: bool = False
    status: str = Field(default=DeliverableStatus.pending.value, max_length=24)
    require_approval: bool = True
    internal_gate: bool = False
    revisions_allowed: int = DEFAULT_REVISIONS_ALLOWED
    revisions_used: int = 0
    revision_note: str = Field(default="", max_length=4000)
    # latest version, and the latest one the client may see (None: nothing released yet)
    current_version: int = 0
    visible_version: int | None = None
    approved_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @classmethod
    def __staff_only__(cls) -> Any:
        """Nothing released to the client yet (the internal gate): only the agency sees it."""
        return col(cls.visible_version).is_(None)


class DeliverableVersion(SQLModel, table=True):
    """One uploaded file or link; history is never rewritten."""

    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("deliverable_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    deliverable_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("deliverable.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    number: int
    original_name: str = Field(default="", max_length=255)
    storage_key: str | None = Field(default=None, max_length=300)
    size: int = 0
    content_type: str = Field(default="", max_length=120)
    sha256: str = Field(max_length=64)
    url: str | None = Field(default=None, max_length=2000)
    note: str = Field(default="", max_length=2000)
    uploaded_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    internal_approved_by_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    )
    internal_approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @classmethod
    def __staff_only__(cls) -> Any:
        """Versions after the last one released to the client (the internal gate)."""
        owner = aliased(Deliverable)
        released = (
            sa_select(func.coalesce(owner.visible_version, 0))
            .where(col(owner.id) == cls.deliverable_id)
            .scalar_subquery()
        )
        return col(cls.number) > released


class ApprovalReceipt(SQLModel, table=True):
    """Immutable proof of an approval: who approved which exact version, when, from where."""

    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    deliverable_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("deliverable.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    version_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("deliverableversion.id", ondelete="CASCADE"), nullable=False
        )
    )
    version_number: int
    deliverable_name: str = Field(max_length=200)
    sha256: str = Field(max_length=64)
    approver_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    )
    approver_name: str = Field(default="", max_length=200)
    approver_email: str = Field(default="", max_length=254)
    approved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ip_address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


@event.listens_for(ApprovalReceipt, "before_update")
def _receipts_are_immutable(_mapper: Any, _conn: Any, target: ApprovalReceipt) -> None:
    raise ValueError(f"approval receipt {target.id} is immutable")


# Input families ------------------------------------------------------------------------------


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _optional_int(message: str, *, low: int, high: int) -> Callable[[Any], int | None]:
    def parse(value: Any) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        number = parse_int(value, minimum=low, maximum=high)
        if number is None:
            raise ValueError(message)
        return number

    return parse


def _link(value: str | None) -> str | None:
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc or len(value) > 2000:
        raise ValueError("Enter a full http(s) link.")
    return value


OptionalText = Annotated[str | None, BeforeValidator(_blank_is_none)]
Link = Annotated[str | None, BeforeValidator(_blank_is_none), pydantic.AfterValidator(_link)]


class VersionCreate(InputModel):
    """A new version: a link (``url``), or a file sent beside these fields."""

    url: Link = None
    note: str = pydantic.Field(default="", max_length=2000)


class DeliverableCreate(VersionCreate):
    """A new deliverable: without ``name`` it is named after its file."""

    name: str = ""
    category: OptionalText = pydantic.Field(default=None, max_length=60)
    project_id: Annotated[
        int | None,
        BeforeValidator(_optional_int("Pick a project of this company.", low=1, high=2**31 - 1)),
    ] = None
    revisions_allowed: Annotated[
        int | None,
        BeforeValidator(_optional_int(f"Use 0 to {MAX_REVISIONS}.", low=0, high=MAX_REVISIONS)),
    ] = None
    require_approval: bool = True
    internal_gate: bool = False
    description: str = pydantic.Field(default="", max_length=4000)

    @pydantic.field_validator("name")
    @classmethod
    def _short_name(cls, value: str) -> str:
        if len(value) > 200:
            raise ValueError("Keep the name under 200 characters.")
        return value


class RevisionRequest(InputModel):
    note: str = pydantic.Field(default="", validate_default=True)

    @pydantic.field_validator("note")
    @classmethod
    def _says_what(cls, value: str) -> str:
        if not value:
            raise ValueError("Say what should change.")
        if len(value) > 4000:
            raise ValueError("Keep the note under 4,000 characters.")
        return value


def _rounds(value: Any) -> int:
    number = parse_int(value, minimum=1, maximum=20)
    if number is None:
        raise ValueError("Add between 1 and 20 rounds.")
    return number


class RevisionExtension(InputModel):
    extra: Annotated[int, BeforeValidator(_rounds)] = pydantic.Field(
        default=0, validate_default=True
    )


class ApprovalDecision(InputModel):
    """What the approver was shown: approving fails if a newer version arrived meanwhile."""

    # Every field is optional, so the API documents the body as optional (none is the same as
    # {}); flask-openapi3 reads openapi_extra, a key pydantic's ConfigDict type does not declare.
    model_config = cast(
        pydantic.ConfigDict,
        {
            **InputModel.model_config,
            "openapi_extra": {
                "required": False,
                "description": "Optional: without a body (or with {}) the current version is "
                "approved.",
            },
        },
    )

    version_number: Annotated[
        int | None,
        BeforeValidator(_optional_int("No such version.", low=1, high=2**31 - 1)),
    ] = None
