"""Outbound webhooks: subscriptions per activity action, and the log of every delivery."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlparse

from pydantic import Field as InputField
from pydantic import field_validator
from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from portal.models.activity import Action
from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel
from portal.web.args import MAX_ID

ALL_EVENTS = "*"
# What a subscription may name: every activity action.
SUBSCRIBABLE: tuple[str, ...] = tuple(a.value for a in Action)
WEBHOOK_MAX_URL = 2000
WEBHOOK_MAX_DESCRIPTION = 200


class DeliveryStatus(StrEnum):
    pending = "pending"
    success = "success"
    failed = "failed"


class WebhookSubscription(SQLModel, table=True):
    """A URL that receives the activity actions it subscribes to (``["*"]`` = every action).

    ``company_id`` narrows it to one company's events; ``None`` means agency-wide. The signing
    secret is encrypted at rest (``portal.crypto``) and shown once, on creation.
    """

    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=200)
    events: list[str] = Field(default_factory=lambda: [ALL_EVENTS], sa_type=JSON)
    company_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True),
    )
    secret_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    active: bool = Field(default=True, index=True)
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def wants(self, action: str, company_id: int | None) -> bool:
        if self.company_id is not None and self.company_id != company_id:
            return False
        return ALL_EVENTS in self.events or action in self.events


class WebhookDelivery(SQLModel, table=True):
    """One event sent (or being sent) to one subscription; redeliveries are new rows."""

    __table_args__ = (
        Index("ix_webhookdelivery_subscription_created", "subscription_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("webhooksubscription.id", ondelete="CASCADE"), nullable=False
        )
    )
    event: str = Field(max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default=DeliveryStatus.pending.value, max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    response_code: int | None = None
    error: str = Field(default="", max_length=500)
    redelivery_of_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("webhookdelivery.id", ondelete="SET NULL"), index=True
        ),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def delivery_label(self) -> str:
        """What the UI says: queued, failed, retrying, delivered or failed."""
        if self.status == DeliveryStatus.pending:
            return "failed, retrying" if self.attempts else "queued"
        return "delivered" if self.status == DeliveryStatus.success else "failed"

    @property
    def payload_pretty(self) -> str:
        try:
            return json.dumps(json.loads(self.payload), indent=2, ensure_ascii=False)
        except ValueError:
            return self.payload


class WebhookSubscriptionCreate(InputModel):
    """A receiver URL, the actions it wants (``["*"]``: every one, including future ones),
    an optional note, and the company it is narrowed to (``None``: agency-wide)."""

    url: str = InputField(default="", validate_default=True)
    description: str = ""
    events: list[str] = InputField(default_factory=list, validate_default=True)
    company_id: int | None = InputField(default=None, ge=1, le=MAX_ID)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        parsed = urlparse(value)
        if not value:
            raise ValueError("Enter the URL that should receive the events.")
        if parsed.scheme not in {"http", "https"} or not parsed.hostname:
            raise ValueError("Use a full http:// or https:// URL.")
        if len(value) > WEBHOOK_MAX_URL:
            raise ValueError("That URL is too long.")
        return value

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        return value[:WEBHOOK_MAX_DESCRIPTION]

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str]) -> list[str]:
        chosen = list(dict.fromkeys(e.strip() for e in value if e.strip()))
        if ALL_EVENTS in chosen:
            return [ALL_EVENTS]
        if not chosen:
            raise ValueError("Choose at least one event.")
        unknown = [e for e in chosen if e not in SUBSCRIBABLE]
        if unknown:
            raise ValueError(f"Unknown event: {', '.join(unknown)}.")
        return chosen
