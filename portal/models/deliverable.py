"""Deliverables: work sent for client approval, its versions and the approval receipts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow


class DeliverableStatus(StrEnum):
    pending = "pending"
    in_review = "in_review"
    revision_requested = "revision_requested"
    approved = "approved"


DEFAULT_REVISIONS_ALLOWED = 2


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
