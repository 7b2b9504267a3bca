from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow


class ApiKey(SQLModel, table=True):
    """An integration key: hashed at rest, its prefix visible, company-scoped or agency-wide."""

    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=64, unique=True)
    company_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True),
    )
    scopes: list[str] = Field(default_factory=list, sa_type=JSON)
    created_by_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ServiceToken(SQLModel, table=True):
    """The portal worker's token (reference 000): hashed at rest."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    prefix: str = Field(max_length=16, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EmailOutbox(SQLModel, table=True):
    """Every outgoing email, written in the transaction that caused it; sent after commit."""

    id: int | None = Field(default=None, primary_key=True)
    to_email: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text))
    status: str = Field(default="queued", max_length=16, index=True)
    attempts: int = 0
    error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
