"""Platform connectors: one interface, a client per platform kind.

* Shopify-like stores: ``GET /shopify/<shop>/admin/api/2024-10/shop.json`` and ``orders.json``,
  authenticated by ``X-Shopify-Access-Token``, paged by the ``Link: <…>; rel="next"`` header
  (cursor ``page_info``).
* Google-Ads-like ad accounts: ``GET /googleads/v17/customers/<id>`` and
  ``POST /googleads/v17/customers/<id>/googleAds:search`` (a query, ``pageToken`` →
  ``results`` + ``nextPageToken``), authenticated by a bearer token and a ``developer-token``.

The transport (session, connect and read timeouts, retries of idempotent calls with back-off,
one error per failure) is the shared :class:`portal.connectors.HttpConnector`; what fails is a
:class:`PlatformError` whose message a person reads. Credentials live only in the client's
headers: no message, log line or ``repr`` carries them. A paging link to another address is
refused rather than followed with the credentials.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol
from urllib.parse import quote

import requests

from portal.connectors import HttpConnector, UpstreamRejected, UpstreamUnavailable
from portal.models.results import PLATFORM_LABELS, Platform

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (3.05, 15.0)
MAX_PAGES = 2000  # a platform that pages forever is cut off, not followed


class PlatformError(Exception):
    """The platform could not answer; ``message`` is fit to show the person connecting (every
    instance is also a :class:`portal.connectors.UpstreamError`)."""

    message: str
    status: int | None


class PlatformRejected(UpstreamRejected, PlatformError):
    """The platform refused the credentials or the request (4xx)."""


class PlatformUnavailable(UpstreamUnavailable, PlatformError):
    """Unreachable, too slow, or failing (5xx) even after retries."""


@dataclass(frozen=True)
class CampaignDay:
    ref: str
    name: str
    day: date
    spend: int  # minor units
    impressions: int
    clicks: int
    conversions: int
    revenue: int  # minor units


@dataclass
class PlatformData:
    """What one sync read: per-day metric totals and (ad platforms) per-campaign days."""

    metrics: dict[tuple[str, date], int] = field(default_factory=dict)
    campaigns: list[CampaignDay] = field(default_factory=list)


@dataclass(frozen=True)
class Account:
    label: str  # the platform's name for the account
    currency: str


class Connector(Protocol):
    platform: str
    reports_campaigns: bool  # an ad platform: its syncs bring per-campaign days

    def account(self) -> Account:
        """Check the credentials by reading the account (raises PlatformRejected if wrong)."""
        ...

    def fetch(self, start: date, end: date) -> PlatformData:
        """The account's numbers for the days ``start``..``end`` (both included)."""
        ...


def _minor(amount: Any) -> int:
    try:
        return int((Decimal(str(amount)) * 100).quantize(Decimal(1)))
    except (InvalidOperation, ValueError):
        return 0


class _Http(HttpConnector):
    unavailable_error = PlatformUnavailable
    rejected_error = PlatformRejected

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str],
        *,
        label: str,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 2,
        backoff: float = 0.3,
    ) -> None:
        super().__init__(
            base_url,
            headers=headers,
            label=label,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
        )

    def call(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        # the ad platform's search is a read sent by POST: safe to repeat
        return self.request(method, url, idempotent=True, **kwargs)

    def rejection(self, resp: requests.Response) -> UpstreamRejected:
        if resp.status_code in {401, 403}:
            return PlatformRejected(
                f"{self.label} refused these credentials: check them and try again.",
                status=resp.status_code,
            )
        if resp.status_code == 404:
            return PlatformRejected(
                f"{self.label} does not know this account: check its name or id.", status=404
            )
        return super().rejection(resp)

    def json(self, resp: requests.Response) -> dict[str, Any]:
        body = super().json(resp)
        if not isinstance(body, dict):
            raise PlatformRejected(f"{self.label} answered in an unexpected shape.")
        return body


_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


class ShopifyConnector:
    """A Shopify-like store: daily revenue and order counts from its orders."""

    platform = Platform.shopify.value
    reports_campaigns = False
    API = "2024-10"

    def __init__(self, base_url: str, *, shop: str, access_token: str) -> None:
        self.shop = shop
        self.http = _Http(
            base_url,
            {"X-Shopify-Access-Token": access_token},
            label=PLATFORM_LABELS[self.platform],
        )

    def _path(self, resource: str) -> str:
        return f"/shopify/{quote(self.shop, safe='')}/admin/api/{self.API}/{resource}.json"

    def account(self) -> Account:
        body = self.http.json(self.http.call("GET", self._path("shop")))
        shop = body.get("shop") or {}
        return Account(
            label=str(shop.get("myshopify_domain") or shop.get("name") or self.shop)[:200],
            currency=str(shop.get("currency") or "USD")[:3].upper(),
        )

    def fetch(self, start: date, end: date) -> PlatformData:
        data = PlatformData()
        revenue: dict[date, int] = defaultdict(int)
        orders: dict[date, int] = defaultdict(int)
        url: str | None = self._path("orders")
        params: dict[str, Any] | None = {
            "status": "any",
            "limit": 250,
            "created_at_min": f"{start.isoformat()}T00:00:00Z",
            "created_at_max": f"{end.isoformat()}T23:59:59Z",
            "fields": "id,created_at,total_price,financial_status",
        }
        pages = 0
        while url and pages < MAX_PAGES:
            resp = self.http.call("GET", url, params=params)
            pages += 1
            for order in self.http.json(resp).get("orders") or []:
                if order.get("financial_status") in {"refunded", "voided"}:
                    continue
                try:
                    day = date.fromisoformat(str(order.get("created_at", ""))[:10])
                except ValueError:
                    continue
                if not start <= day <= end:
                    continue
                revenue[day] += _minor(order.get("total_price", 0))
                orders[day] += 1
            match = _NEXT_LINK.search(resp.headers.get("Link", ""))
            url, params = (match.group(1), None) if match else (None, None)
        for day, amount in revenue.items():
            data.metrics[("revenue", day)] = amount
        for day, count in orders.items():
            data.metrics[("orders", day)] = count
        return data


class GoogleAdsConnector:
    """A Google-Ads-like account: per-campaign daily spend, impressions, clicks, conversions."""

    platform = Platform.google_ads.value
    reports_campaigns = True
    VERSION = "v17"

    def __init__(
        self, base_url: str, *, customer_id: str, developer_token: str, access_token: str
    ) -> None:
        self.customer_id = customer_id.replace("-", "")
        self.http = _Http(
            base_url,
            {"Authorization": f"Bearer {access_token}", "developer-token": developer_token},
            label=PLATFORM_LABELS[self.platform],
        )

    def _path(self, suffix: str = "") -> str:
        return f"/googleads/{self.VERSION}/customers/{quote(self.customer_id, safe='')}{suffix}"

    def account(self) -> Account:
        body = self.http.json(self.http.call("GET", self._path()))
        return Account(
            label=str(body.get("descriptiveName") or self.customer_id)[:200],
            currency=str(body.get("currencyCode") or "USD")[:3].upper(),
        )

    def fetch(self, start: date, end: date) -> PlatformData:
        data = PlatformData()
        query = (
            "SELECT campaign.id, campaign.name, segments.date, metrics.cost_micros, "
            "metrics.impressions, metrics.clicks, metrics.conversions, "
            "metrics.conversions_value FROM campaign "
            f"WHERE segments.date BETWEEN '{start.isoformat()}' AND '{end.isoformat()}'"
        )
        token: str | None = ""
        pages = 0
        while token is not None and pages < MAX_PAGES:
            body: dict[str, Any] = {"query": query, "pageSize": 1000}
            if token:
                body["pageToken"] = token
            page = self.http.json(
                self.http.call("POST", self._path("/googleAds:search"), json=body)
            )
            pages += 1
            for row in page.get("results") or []:
                day_row = self._campaign_day(row)
                if day_row is not None and start <= day_row.day <= end:
                    data.campaigns.append(day_row)
            token = page.get("nextPageToken") or None
        totals: dict[tuple[str, date], int] = defaultdict(int)
        for c in data.campaigns:
            totals[("ad_spend", c.day)] += c.spend
            totals[("impressions", c.day)] += c.impressions
            totals[("clicks", c.day)] += c.clicks
            totals[("conversions", c.day)] += c.conversions
            totals[("ad_revenue", c.day)] += c.revenue
        data.metrics = dict(totals)
        return data

    @staticmethod
    def _campaign_day(row: dict[str, Any]) -> CampaignDay | None:
        campaign = row.get("campaign") or {}
        metrics = row.get("metrics") or {}
        try:
            day = date.fromisoformat(str((row.get("segments") or {}).get("date", "")))
            return CampaignDay(
                ref=str(campaign.get("id", ""))[:64],
                name=str(campaign.get("name") or campaign.get("id") or "")[:200],
                day=day,
                spend=int(metrics.get("costMicros") or 0) // 10_000,
                impressions=int(metrics.get("impressions") or 0),
                clicks=int(metrics.get("clicks") or 0),
                conversions=round(float(metrics.get("conversions") or 0)),
                revenue=_minor(metrics.get("conversionsValue") or 0),
            )
        except (TypeError, ValueError):
            return None


# The platforms whose connections bring campaigns (the Results tab's platform filter).
CAMPAIGN_PLATFORMS: frozenset[str] = frozenset(
    c.platform for c in (ShopifyConnector, GoogleAdsConnector) if c.reports_campaigns
)


def connector_for(platform: str, base_url: str, credentials: dict[str, str]) -> Connector:
    """The connector of ``platform`` with these (decrypted) credentials."""
    if platform == Platform.shopify:
        return ShopifyConnector(
            base_url,
            shop=credentials.get("shop", ""),
            access_token=credentials.get("access_token", ""),
        )
    if platform == Platform.google_ads:
        return GoogleAdsConnector(
            base_url,
            customer_id=credentials.get("customer_id", ""),
            developer_token=credentials.get("developer_token", ""),
            access_token=credentials.get("access_token", ""),
        )
    raise PlatformRejected(f"Unknown platform {platform!r}.")
