"""Reference 000 shapes for connections, results, campaigns and Ask (snake_case as 000 names
them, string ids; metric values are numbers in their unit — money in currency units)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from blueprints.api.schemas import MAX_ID, ApiModel
from portal.models.results import ConnectionCreate, PlatformConnection
from services.results.ask import Answer
from services.results.campaigns import CampaignRow, CampaignTable
from services.results.metrics import MetricResult, Period, Results

SortColumn = Literal[
    "name",
    "platform",
    "spend",
    "impressions",
    "clicks",
    "ctr",
    "conversions",
    "revenue",
    "roas",
    "cpa",
]
TrackingStatus = Literal["on_track", "at_risk", "off_track", "no_target"]


class WorkerConnectionCreate(ConnectionCreate):
    """``platform`` (shopify | google_ads), ``credentials`` (platform-specific) and an optional
    ``display_name``. The credentials are tested with the platform before anything is stored."""


class ConnectionPath(ApiModel):
    connection_id: int = Field(ge=1, le=MAX_ID)


class PeriodQuery(ApiModel):
    period_type: Literal["week", "month", "quarter", "year"] = "month"
    period_end: date | None = Field(default=None, description="YYYY-MM-DD; default today (UTC)")


class CampaignsQuery(PeriodQuery):
    platform: Literal["shopify", "google_ads"] | None = None
    sort_by: SortColumn = "spend"
    sort_dir: Literal["asc", "desc"] = "desc"


class AskIn(ApiModel):
    question: str = Field(min_length=1, max_length=500)


class ConnectionOut(BaseModel):
    id: str
    platform: str
    platform_label: str
    display_name: str
    account_label: str
    currency: str
    managed_by: Literal["agency", "client"]
    status: Literal["pending", "ok", "error"]
    last_synced_at: datetime | None
    last_attempt_at: datetime | None
    sync_error: str | None
    created_at: datetime


class ConnectionsOut(BaseModel):
    """A page of the company's connections, oldest first (``limit``, ``offset``, ``total`` as
    on every list)."""

    connections: list[ConnectionOut]
    dashboard_enabled: bool
    limit: int
    offset: int
    total: int


class ConnectionCreatedOut(BaseModel):
    connection: ConnectionOut


class SyncStartedOut(BaseModel):
    message: str


class DisconnectedOut(BaseModel):
    ok: bool


class PeriodOut(BaseModel):
    period_type: str
    start: date
    end: date
    prior_start: date
    prior_end: date
    label: str


class MetricOut(BaseModel):
    key: str
    label: str
    unit: Literal["money", "count", "ratio", "percent"]
    value: float | None
    prior_value: float | None
    delta_pct: float | None = Field(description="(value − prior) / prior × 100; null without prior")
    target: float | None
    tracking_status: TrackingStatus


class ResultsOut(BaseModel):
    period: PeriodOut | None
    metrics: list[MetricOut]
    insight: str
    connected_platforms: list[str]
    currency: str | None
    dashboard_enabled: bool


class CampaignOut(BaseModel):
    connection_id: str | None
    campaign_id: str | None
    name: str
    platform: str | None
    spend: float
    impressions: int
    clicks: int
    ctr: float | None
    conversions: int
    revenue: float
    roas: float | None
    cpa: float | None


class CampaignsOut(BaseModel):
    period: PeriodOut | None
    campaigns: list[CampaignOut]
    totals: CampaignOut | None
    sort_by: str
    sort_dir: str
    platform: str | None
    dashboard_enabled: bool


class CitationOut(BaseModel):
    label: str
    value: str


class AskOut(BaseModel):
    answer: str
    citations: list[CitationOut] = Field(
        default_factory=list, description="The numbers the answer was worked out from"
    )
    written_by: str | None = Field(
        default=None, description="The model that worded the answer; null: answered directly"
    )
    note: str | None = Field(
        default=None, description="Set when the configured model could not answer"
    )


def ask_out(reply: Answer) -> dict[str, Any]:
    return {
        "answer": reply.text,
        "citations": [{"label": c.label, "value": c.value} for c in reply.citations],
        "written_by": reply.written_by,
        "note": reply.note,
    }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def connection_out(c: PlatformConnection) -> dict[str, Any]:
    """Never the credentials: this is the only shape a connection leaves in."""
    status = "error" if c.sync_error else "ok" if c.last_synced_at else "pending"
    return {
        "id": str(c.id),
        "platform": c.platform,
        "platform_label": c.platform_label,
        "display_name": c.display_name,
        "account_label": c.account_label,
        "currency": c.currency,
        "managed_by": c.managed_by,
        "status": status,
        "last_synced_at": c.last_synced_at,
        "last_attempt_at": c.last_attempt_at,
        "sync_error": c.sync_error,
        "created_at": c.created_at,
    }


def period_out(p: Period) -> dict[str, Any]:
    return {
        "period_type": p.type,
        "start": p.start,
        "end": p.end,
        "prior_start": p.prior_start,
        "prior_end": p.prior_end,
        "label": p.label,
    }


def metric_out(m: MetricResult) -> dict[str, Any]:
    return {
        "key": m.key,
        "label": m.metric.label,
        "unit": m.metric.unit,
        "value": _num(m.value),
        "prior_value": _num(m.prior_value),
        "delta_pct": _num(m.delta_pct),
        "target": _num(m.target),
        "tracking_status": m.tracking_status,
    }


def results_out(r: Results, platforms: list[str] | None = None) -> dict[str, Any]:
    """``platforms``: every connected platform, when ``r.connections`` holds only the first."""
    return {
        "period": period_out(r.period),
        "metrics": [metric_out(m) for m in r.metrics],
        "insight": r.insight,
        "connected_platforms": sorted(
            platforms if platforms is not None else {c.platform for c in r.connections}
        ),
        "currency": r.currency,
        "dashboard_enabled": True,
    }


def campaign_out(row: CampaignRow, *, total: bool = False) -> dict[str, Any]:
    return {
        "connection_id": None if total else str(row.connection_id),
        "campaign_id": None if total else row.ref,
        "name": row.name,
        "platform": None if total else row.platform,
        "spend": float(row.spend),
        "impressions": row.impressions,
        "clicks": row.clicks,
        "ctr": _num(row.ctr),
        "conversions": row.conversions,
        "revenue": float(row.revenue),
        "roas": _num(row.roas),
        "cpa": _num(row.cpa),
    }


def campaigns_out(t: CampaignTable) -> dict[str, Any]:
    return {
        "period": period_out(t.period),
        "campaigns": [campaign_out(r) for r in t.rows],
        "totals": campaign_out(t.totals, total=True),
        "sort_by": t.sort_by,
        "sort_dir": t.sort_dir,
        "platform": t.platform or None,
        "dashboard_enabled": True,
    }
