"""Results: connections with days of numbers, stored the way a sync stores them (no platform)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlmodel import Session, select

from portal import crypto
from portal.models import Company, Portal
from portal.models.results import MetricTarget, PlatformConnection
from services.demo.results_platforms import (
    CAMPAIGNS,
    DEMO_ADS_TOKEN,
    DEMO_CUSTOMER,
    DEMO_DEVELOPER_TOKEN,
    DEMO_SHOP,
    DEMO_SHOP_TOKEN,
    campaign_day,
    store_day_totals,
)
from services.results.connectors import CampaignDay, PlatformData
from services.results.sync import store_days


def enable_results(db: Session, company: Company, on: bool = True) -> None:
    portal = db.exec(select(Portal).where(Portal.company_id == company.id)).one()
    portal.dashboard_enabled = on
    db.add(portal)
    db.flush()


def make_connection(
    db: Session,
    company: Company,
    platform: str = "google_ads",
    *,
    managed_by: str = "client",
    days: int = 0,
    end: date | None = None,
    display_name: str | None = None,
) -> PlatformConnection:
    """A connection of ``platform`` with the demo data set's last ``days`` days to ``end``."""
    credentials = (
        {"shop": DEMO_SHOP, "access_token": DEMO_SHOP_TOKEN}
        if platform == "shopify"
        else {
            "customer_id": DEMO_CUSTOMER,
            "developer_token": DEMO_DEVELOPER_TOKEN,
            "access_token": DEMO_ADS_TOKEN,
        }
    )
    connection = PlatformConnection(
        company_id=company.id,  # type: ignore[arg-type]
        platform=platform,
        display_name=display_name or f"{platform} of {company.name}",
        account_label=DEMO_SHOP if platform == "shopify" else DEMO_CUSTOMER,
        managed_by=managed_by,
        credentials_encrypted=crypto.encrypt(json.dumps(credentials)),
    )
    db.add(connection)
    db.flush()
    if days:
        end = end or date.today()
        start = end - timedelta(days=days - 1)
        store_days(db, connection, platform_data(platform, start, end), start, end)
        db.flush()
    return connection


def platform_data(platform: str, start: date, end: date) -> PlatformData:
    """What a sync of the demo data set reads for ``start``..``end``."""
    data = PlatformData()
    day = start
    while day <= end:
        if platform == "shopify":
            revenue, orders = store_day_totals(DEMO_SHOP, day)
            data.metrics[("revenue", day)] = revenue
            data.metrics[("orders", day)] = orders
        else:
            for c in CAMPAIGNS:
                n = campaign_day(DEMO_CUSTOMER, c, day)
                if n is None:
                    continue
                data.campaigns.append(
                    CampaignDay(
                        c.ref,
                        c.name,
                        day,
                        n.spend,
                        n.impressions,
                        n.clicks,
                        n.conversions,
                        n.revenue,
                    )
                )
                for key, value in (
                    ("ad_spend", n.spend),
                    ("impressions", n.impressions),
                    ("clicks", n.clicks),
                    ("conversions", n.conversions),
                    ("ad_revenue", n.revenue),
                ):
                    data.metrics[(key, day)] = data.metrics.get((key, day), 0) + value
        day += timedelta(days=1)
    return data


def set_target(db: Session, company: Company, metric: str, monthly_value: int) -> None:
    db.add(MetricTarget(company_id=company.id, metric=metric, monthly_value=monthly_value))  # type: ignore[arg-type]
    db.flush()
