"""The real connectors against the fake platform server, over HTTP."""

from __future__ import annotations

from datetime import date

import pytest

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
from services.results.connectors import (
    GoogleAdsConnector,
    PlatformRejected,
    PlatformUnavailable,
    ShopifyConnector,
)

START, END = date(2026, 3, 1), date(2026, 3, 20)


def shop(url: str, token: str = DEMO_SHOP_TOKEN) -> ShopifyConnector:
    return ShopifyConnector(url, shop=DEMO_SHOP, access_token=token)


def ads(url: str, token: str = DEMO_ADS_TOKEN) -> GoogleAdsConnector:
    return GoogleAdsConnector(
        url, customer_id=DEMO_CUSTOMER, developer_token=DEMO_DEVELOPER_TOKEN, access_token=token
    )


def test_store_orders_are_read_through_every_page(platform) -> None:
    data = shop(platform.url).fetch(START, END)
    pages = [p for p in platform.paths() if "orders.json" in p]
    assert len(pages) > 1 and any("page_info=" in p for p in pages)  # followed the Link header
    for n in range(20):
        day = date(2026, 3, 1 + n)
        revenue, orders = store_day_totals(DEMO_SHOP, day)
        assert data.metrics[("revenue", day)] == revenue
        assert data.metrics[("orders", day)] == orders


def test_ad_campaign_days_are_read_through_every_page(platform) -> None:
    data = ads(platform.url).fetch(START, END)
    assert sum("googleAds:search" in p for p in platform.paths()) > 1
    expected = [
        (c.ref, day)
        for n in range(20)
        for c in CAMPAIGNS
        if campaign_day(DEMO_CUSTOMER, c, day := date(2026, 3, 1 + n)) is not None
    ]
    assert sorted((c.ref, c.day) for c in data.campaigns) == sorted(expected)
    brand = next(c for c in data.campaigns if c.ref == "9001" and c.day == START)
    numbers = campaign_day(DEMO_CUSTOMER, CAMPAIGNS[0], START)
    assert numbers is not None
    assert (brand.spend, brand.clicks, brand.revenue) == (
        numbers.spend,
        numbers.clicks,
        numbers.revenue,
    )
    assert data.metrics[("ad_spend", START)] == sum(
        c.spend for c in data.campaigns if c.day == START
    )


def test_accounts_are_checked_and_wrong_credentials_refused(platform) -> None:
    assert shop(platform.url).account().label == f"{DEMO_SHOP}.myshopify.com"
    assert ads(platform.url).account().label == "Acme Ads"
    with pytest.raises(PlatformRejected, match="refused these credentials"):
        shop(platform.url, token="wrong").account()
    with pytest.raises(PlatformRejected, match="refused these credentials"):
        ads(platform.url, token="wrong").account()
    with pytest.raises(PlatformRejected, match="does not know this account"):
        ShopifyConnector(platform.url, shop="nobody", access_token="x").account()


def test_server_errors_are_retried_then_reported(platform) -> None:
    connector = shop(platform.url)
    connector.http.backoff = 0
    platform.fail_next(1)
    assert connector.account().currency == "USD"  # one retry recovered
    platform.fail_next(3)
    with pytest.raises(PlatformUnavailable, match="failed"):
        connector.account()
    platform.stop()
    with pytest.raises(PlatformUnavailable, match="cannot be reached"):
        connector.account()
