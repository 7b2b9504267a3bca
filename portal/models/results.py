"""Results (SPEC §5.7): platform connections, and the daily numbers their syncs bring in.

Credentials are one encrypted JSON object per connection (``portal.crypto``); no serializer,
page or log line ever reads them back. Every number is an integer in its unit — money in minor
units (cents), counts as counts — so every backend sums them exactly; ratios (ROAS, CPA, AOV)
are computed from sums when a period is aggregated, never stored.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

import pydantic
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel


class Platform(StrEnum):
    shopify = "shopify"
    google_ads = "google_ads"


PLATFORM_LABELS: dict[str, str] = {"shopify": "Shopify", "google_ads": "Google Ads"}


class ManagedBy(StrEnum):
    agency = "agency"
    client = "client"


class PlatformConnection(SQLModel, table=True):
    """One connected platform account of a company."""

    __tenant_column__ = "company_id"
    __tablename__ = "platform_connection"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    platform: str = Field(max_length=32)
    display_name: str = Field(max_length=200)
    # the platform's own name for the account (shop domain, customer id): not a secret
    account_label: str = Field(default="", max_length=200)
    currency: str = Field(default="USD", max_length=3)
    managed_by: str = Field(default=ManagedBy.client.value, max_length=16)
    credentials_encrypted: str = Field(max_length=20000, repr=False)
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True, nullable=True
        ),
    )
    last_synced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sync_error: str | None = Field(default=None, max_length=500)
    # the last day fully read from the platform (the next sync starts a little before it)
    synced_through: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def platform_label(self) -> str:
        return PLATFORM_LABELS.get(self.platform, self.platform)


class MetricDaily(SQLModel, table=True):
    """One metric of one connection on one day (``value`` in the metric's unit)."""

    __tenant_column__ = "company_id"
    __tablename__ = "metric_daily"
    __table_args__ = (
        UniqueConstraint("connection_id", "metric", "day", name="uq_metric_daily"),
        Index("ix_metric_daily_company_day", "company_id", "day", "metric"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False)
    )
    connection_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("platform_connection.id", ondelete="CASCADE"), nullable=False
        )
    )
    metric: str = Field(max_length=32)
    day: date = Field(sa_column=Column(Date, nullable=False))
    value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class MetricCompanyDaily(SQLModel, table=True):
    """A company's daily total of one metric over all its connections: the rollup the Results
    page sums, so a period costs one row per metric and day however many connections feed it.
    Maintained at sync time (``services.results.sync.refresh_rollup``) from ``metric_daily``."""

    __tenant_column__ = "company_id"
    __tablename__ = "metric_company_daily"

    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    day: date = Field(sa_column=Column(Date, primary_key=True, nullable=False))
    metric: str = Field(sa_column=Column(String(32), primary_key=True, nullable=False))
    value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class CampaignDaily(SQLModel, table=True):
    """One ad campaign's numbers on one day (spend and revenue in minor units)."""

    __tenant_column__ = "company_id"
    __tablename__ = "campaign_daily"
    __table_args__ = (
        UniqueConstraint("connection_id", "campaign_ref", "day", name="uq_campaign_daily"),
        Index("ix_campaign_daily_company_day", "company_id", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False)
    )
    connection_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("platform_connection.id", ondelete="CASCADE"), nullable=False
        )
    )
    platform: str = Field(max_length=32)
    campaign_ref: str = Field(max_length=64)
    campaign_name: str = Field(max_length=200)
    day: date = Field(sa_column=Column(Date, nullable=False))
    spend: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    impressions: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    clicks: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    conversions: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    revenue: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class MetricTarget(SQLModel, table=True):
    """A company's monthly target for a metric (summed metrics scale with the period's days;
    ratios apply as they are)."""

    __tenant_column__ = "company_id"
    __tablename__ = "metric_target"
    __table_args__ = (UniqueConstraint("company_id", "metric", name="uq_metric_target"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    metric: str = Field(max_length=32)
    monthly_value: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# Input families ---------------------------------------------------------------------------------

PlatformValue = Literal["shopify", "google_ads"]
PeriodTypeValue = Literal["week", "month", "quarter", "year"]


class ConnectionCredentials(InputModel):
    """What each platform needs: Shopify ``shop`` + ``access_token``; Google Ads
    ``customer_id`` + ``developer_token`` + ``access_token``."""

    shop: str = pydantic.Field(default="", max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$|^$")
    customer_id: str = pydantic.Field(default="", max_length=20, pattern=r"^[0-9-]*$")
    access_token: str = pydantic.Field(default="", max_length=500, repr=False)
    developer_token: str = pydantic.Field(default="", max_length=500, repr=False)


class ConnectionCreate(InputModel):
    """A platform to connect: its key, its credentials (platform-specific), a display name."""

    platform: PlatformValue
    credentials: ConnectionCredentials = pydantic.Field(default_factory=ConnectionCredentials)
    display_name: str = pydantic.Field(default="", max_length=200)

    @pydantic.model_validator(mode="after")
    def _complete(self) -> ConnectionCreate:
        needed = {
            "shopify": ("shop", "access_token"),
            "google_ads": ("customer_id", "developer_token", "access_token"),
        }[self.platform]
        missing = [n for n in needed if not getattr(self.credentials, n)]
        if missing:
            raise ValueError(f"{PLATFORM_LABELS[self.platform]} needs {', '.join(missing)}.")
        return self
