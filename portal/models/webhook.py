"""Outbound webhooks: subscriptions per activity action, and the log of every delivery."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow

ALL_EVENTS = "*"


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
    response_code: int | None = None
    response_excerpt: str = Field(default="", max_length=500)
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
    def payload_pretty(self) -> str:
        try:
            return json.dumps(json.loads(self.payload), indent=2, ensure_ascii=False)
        except ValueError:
            return self.payload
