from __future__ import annotations

from datetime import datetime
from typing import Any

import pydantic
from pydantic import field_validator
from sqlalchemy import JSON, Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel
from portal.web.args import parse_int

# What an API key may be limited to ("*" = everything, for keys made on the command line).
ALL_SCOPES: tuple[str, ...] = (
    "portal:read",
    "portal:write",
    "tasks:read",
    "tasks:write",
    "files:read",
    "files:write",
    "files:publish",
    "deliverables:read",
    "deliverables:write",
    "invoices:read",
    "invoices:write",
    "feedback:read",
    "feedback:write",
    "users:read",
    "users:write",
    "webhooks:write",
    "network:read",
    "network:write",
    "vault:read",
    "vault:write",
    "vault:secrets",
    "procurement:read",
    "procurement:write",
    "sales:read",
    "sales:write",
)


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


class ApiKeyCreate(InputModel):
    """A key staff create on the API keys page: a name, whom it acts for, its scopes."""

    name: str = pydantic.Field(max_length=120)
    company_id: int | None = pydantic.Field(default=None, description="None = agency-wide")
    scopes: list[str] = pydantic.Field(default_factory=list, validate_default=True)

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value:
            raise ValueError("Give the key a name, e.g. the integration using it.")
        return value

    @field_validator("company_id", mode="before")
    @classmethod
    def _company(cls, value: Any) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        company_id = parse_int(value, minimum=1)
        if company_id is None:
            raise ValueError("Choose a company from the list.")
        return company_id

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, value: list[str]) -> list[str]:
        known = [s for s in value if s in ALL_SCOPES]  # unknown ones are dropped, as the form does
        if not known:
            raise ValueError("Choose at least one scope.")
        return known


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
    # queued (attempts 0: not tried yet; more: failed, retrying) → sent | failed (gave up)
    status: str = Field(default="queued", max_length=16, index=True)
    attempts: int = 0
    error: str | None = Field(default=None, max_length=1000)
    next_attempt_at: datetime | None = Field(
        default_factory=utcnow, sa_type=UTCDateTime, index=True
    )
    # set while a worker sends it; another worker may take it over once this has passed
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def delivery_label(self) -> str:
        """What the UI says: queued, failed, retrying, sent or failed."""
        if self.status == "queued":
            return "failed, retrying" if self.attempts else "queued"
        return self.status
