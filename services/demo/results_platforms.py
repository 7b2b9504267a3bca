"""The demo's platform data set: a store's orders and an ad account's campaign days.

Deterministic per account and day, with growth over time and a weekly rhythm. The fake platform
server (tests/fakes/ad_platform.py) serves it over HTTP; the demo loader stores its daily totals
directly: one data set, two ways in.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

DEMO_SHOP = "acme-store"
DEMO_SHOP_TOKEN = "shpat_demo_acme_0f9e8d7c6b5a"
DEMO_CUSTOMER = "1234567890"
DEMO_DEVELOPER_TOKEN = "devtok-demo-acme-5a6b7c"
DEMO_ADS_TOKEN = "ya29.demo-acme-access-token"
EPOCH = date(2024, 1, 1)


@dataclass(frozen=True)
class DemoCampaign:
    ref: str
    name: str
    daily_budget: int  # minor units
    roas: float  # revenue per unit of spend
    ctr: float
    cvr: float  # conversions per click
    cpm: int  # minor units per 1000 impressions


CAMPAIGNS: tuple[DemoCampaign, ...] = (
    DemoCampaign("9001", "Brand search", 9000, 7.5, 0.085, 0.09, 900),
    DemoCampaign("9002", "Generic search — running shoes", 16000, 3.2, 0.041, 0.035, 1400),
    DemoCampaign("9003", "Shopping — all products", 21000, 4.1, 0.012, 0.022, 600),
    DemoCampaign("9004", "Display remarketing", 7000, 2.1, 0.004, 0.012, 250),
    DemoCampaign("9005", "YouTube awareness", 11000, 0.8, 0.002, 0.004, 700),
    DemoCampaign("9006", "Performance Max — spring", 14000, 3.7, 0.018, 0.028, 800),
)


def _rng(*parts: object) -> random.Random:
    return random.Random(zlib.crc32("|".join(str(p) for p in parts).encode()))


def _trend(day: date) -> float:
    """Growth over the years, a weekly rhythm (weekends busier) and a December peak."""
    months = (day - EPOCH).days / 30.4
    weekly = 1.0 + (0.18 if day.weekday() >= 5 else 0.0)
    season = 1.0 + 0.35 * math.exp(-(((day.timetuple().tm_yday - 340) / 18) ** 2))
    return (1.0 + 0.025 * months) * weekly * season


def _day_orders(shop: str, day: date) -> list[tuple[int, bool]]:
    """One day's orders of ``shop`` as (price in cents, refunded)."""
    rng = _rng("shop", shop, day.isoformat())
    count = max(0, int(rng.gauss(24, 5) * _trend(day)))
    draw, chance = rng.lognormvariate, rng.random
    return [(round(draw(4.2, 0.45) * 100), chance() < 0.03) for _ in range(count)]


def store_orders(shop: str, day: date) -> list[tuple[str, Decimal, str]]:
    """One day's orders of ``shop``: (id, total price, financial status)."""
    prefix = day.strftime("%Y%m%d")
    return [
        (f"{prefix}{n:04d}", Decimal(cents) / 100, "refunded" if refunded else "paid")
        for n, (cents, refunded) in enumerate(_day_orders(shop, day))
    ]


def store_day_totals(shop: str, day: date) -> tuple[int, int]:
    """(revenue in minor units, order count) of the day's orders that were not refunded."""
    kept = [cents for cents, refunded in _day_orders(shop, day) if not refunded]
    return sum(kept), len(kept)


@dataclass(frozen=True)
class CampaignNumbers:
    spend: int
    impressions: int
    clicks: int
    conversions: int
    revenue: int


def campaign_day(customer: str, campaign: DemoCampaign, day: date) -> CampaignNumbers | None:
    """One campaign's numbers on ``day`` (None: the campaign did not run that day)."""
    rng = _rng("ads", customer, campaign.ref, day.isoformat())
    # the spring campaign runs March to May only
    if campaign.ref == "9006" and day.month not in (3, 4, 5):
        return None
    spend = int(campaign.daily_budget * rng.uniform(0.75, 1.05) * (0.8 + 0.2 * _trend(day)))
    impressions = spend * 1000 // max(1, campaign.cpm)
    clicks = int(impressions * campaign.ctr * rng.uniform(0.85, 1.15))
    conversions = int(clicks * campaign.cvr * rng.uniform(0.7, 1.3))
    revenue = int(spend * campaign.roas * rng.uniform(0.7, 1.3))
    return CampaignNumbers(spend, impressions, clicks, conversions, revenue)
