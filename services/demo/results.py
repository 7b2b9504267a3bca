"""Demo results: 24 months of daily numbers for Acme from a store it connected itself and an
ad account the agency manages, with monthly targets. Globex has results off (its portal's
``dashboard_enabled``); Acme Retail has results on and nothing connected yet.

``make run`` has no platform to sync from, so the demo stores the fake platform's data set
(services/demo/results_platforms.py) the way a sync would — set-based, in a few statements.
Set ``RESULTS_PLATFORM_URL`` (to tests/fakes/ad_platform.py's server, say) to sync for real.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlmodel import Session, select

from portal import crypto
from portal.models import Company, User
from portal.models.base import utcnow
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

DAYS = 730
# monthly targets, in the metric's stored unit (money in cents; ROAS and CPA ×100)
TARGETS = {"revenue": 95_000_00, "orders": 1_000, "conversions": 1_450, "roas": 320, "cpa": 55_00}


def _shop_data(start: date, end: date) -> PlatformData:
    data = PlatformData()
    day = start
    while day <= end:
        revenue, orders = store_day_totals(DEMO_SHOP, day)
        data.metrics[("revenue", day)] = revenue
        data.metrics[("orders", day)] = orders
        day += timedelta(days=1)
    return data


def _ads_data(start: date, end: date) -> PlatformData:
    data = PlatformData()
    day = start
    while day <= end:
        for c in CAMPAIGNS:
            n = campaign_day(DEMO_CUSTOMER, c, day)
            if n is None:
                continue
            data.campaigns.append(
                CampaignDay(
                    c.ref, c.name, day, n.spend, n.impressions, n.clicks, n.conversions, n.revenue
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


def load_demo_results(session: Session, companies: dict[str, Company], owner: User | None) -> bool:
    acme = companies.get("acme")
    if acme is None or acme.id is None:
        return False
    if session.exec(
        select(PlatformConnection.id).where(PlatformConnection.company_id == acme.id)
    ).first():
        return False
    end = utcnow().date()
    start = end - timedelta(days=DAYS - 1)
    now = utcnow()
    for platform, name, label, managed_by, credentials, fetch in (
        (
            "shopify",
            "Acme online store",
            f"{DEMO_SHOP}.myshopify.com",
            "client",
            {"shop": DEMO_SHOP, "access_token": DEMO_SHOP_TOKEN},
            _shop_data,
        ),
        (
            "google_ads",
            "Google Ads · Acme Ads",
            "Acme Ads",
            "agency",
            {
                "customer_id": DEMO_CUSTOMER,
                "developer_token": DEMO_DEVELOPER_TOKEN,
                "access_token": DEMO_ADS_TOKEN,
            },
            _ads_data,
        ),
    ):
        connection = PlatformConnection(
            company_id=acme.id,
            platform=platform,
            display_name=name,
            account_label=label,
            managed_by=managed_by,
            credentials_encrypted=crypto.encrypt(json.dumps(credentials)),
            created_by_id=owner.id if owner and managed_by == "client" else None,
            last_synced_at=now,
            last_attempt_at=now,
            synced_through=end,
        )
        session.add(connection)
        session.flush()
        store_days(session, connection, fetch(start, end), start, end)
    for metric, value in TARGETS.items():
        session.add(MetricTarget(company_id=acme.id, metric=metric, monthly_value=value))
    session.flush()
    return True
