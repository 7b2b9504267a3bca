"""A small Shopify-like store API and Google-Ads-like ad API for tests, over real HTTP.

It serves the demo's platform data set (services/demo/results_platforms.py): orders paged by a
``Link: <…>; rel="next"`` header with a ``page_info`` cursor, campaign days paged by
``nextPageToken``. Credentials are checked like the platforms do; a test can make it fail
(``fail_next``), slow (``delay``) or unreachable (``stop``), and read what it was asked
(``requests``, with the headers it received).
"""

from __future__ import annotations

import base64
import json
import re
from datetime import date
from typing import Any

from werkzeug.wrappers import Request, Response

from services.demo.results_platforms import (
    CAMPAIGNS,
    DEMO_ADS_TOKEN,
    DEMO_CUSTOMER,
    DEMO_DEVELOPER_TOKEN,
    DEMO_SHOP,
    DEMO_SHOP_TOKEN,
    campaign_day,
    store_orders,
)
from tests.fakes.server import FakeServer

ORDERS_PAGE_MAX = 250


def _cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def _uncursor(token: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(token.encode()))


class FakeAdPlatform(FakeServer):
    def __init__(
        self,
        *,
        shops: dict[str, str] | None = None,
        customers: dict[str, tuple[str, str]] | None = None,
        ads_page_size: int = 50,
    ) -> None:
        self.shops = shops if shops is not None else {DEMO_SHOP: DEMO_SHOP_TOKEN}
        self.customers = (
            customers
            if customers is not None
            else {DEMO_CUSTOMER: (DEMO_DEVELOPER_TOKEN, DEMO_ADS_TOKEN)}
        )
        self.ads_page_size = ads_page_size
        super().__init__()
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    def paths(self) -> list[str]:
        return [f"{m} {p}" for m, p, _ in self.requests]

    # HTTP -------------------------------------------------------------------------------------

    _json = staticmethod(FakeServer.json_response)

    def record(self, request: Request) -> None:
        self.requests.append((request.method, request.full_path, dict(request.headers)))

    def respond(self, request: Request) -> Response:
        return self._route(request)

    def _route(self, request: Request) -> Response:
        shop = re.fullmatch(r"/shopify/([^/]+)/admin/api/[\d-]+/(shop|orders)\.json", request.path)
        if shop and request.method == "GET":
            return self._shopify(request, shop.group(1), shop.group(2))
        ads = re.fullmatch(r"/googleads/v\d+/customers/(\d+)(/googleAds:search)?", request.path)
        if ads:
            return self._ads(request, ads.group(1), bool(ads.group(2)))
        return self._json({"errors": "Not Found"}, 404)

    # Shopify-like -----------------------------------------------------------------------------

    def _shopify(self, request: Request, shop: str, resource: str) -> Response:
        if shop not in self.shops:
            return self._json({"errors": "Not Found"}, 404)
        if request.headers.get("X-Shopify-Access-Token") != self.shops[shop]:
            return self._json(
                {"errors": "[API] Invalid API key or access token (unrecognized login)"}, 401
            )
        if resource == "shop":
            return self._json(
                {
                    "shop": {
                        "id": 548380009,
                        "name": shop.replace("-", " ").title(),
                        "myshopify_domain": f"{shop}.myshopify.com",
                        "currency": "USD",
                    }
                }
            )
        args = request.args
        if "page_info" in args:
            state = _uncursor(args["page_info"])
        else:
            state = {
                "min": args.get("created_at_min", "")[:10],
                "max": args.get("created_at_max", "")[:10],
                "day": args.get("created_at_min", "")[:10],
                "skip": 0,
            }
        limit = min(ORDERS_PAGE_MAX, int(state.get("limit") or args.get("limit") or 50))
        state["limit"] = limit
        try:
            day, last = date.fromisoformat(state["day"]), date.fromisoformat(state["max"])
        except ValueError:
            return self._json({"errors": {"created_at_min": "is invalid"}}, 400)
        page: list[dict[str, Any]] = []
        skip = int(state["skip"])
        while day <= last and len(page) < limit:
            day_orders = store_orders(shop, day)[skip:]
            room = limit - len(page)
            for oid, price, status in day_orders[:room]:
                page.append(
                    {
                        "id": int(oid),
                        "created_at": f"{day.isoformat()}T12:00:00-00:00",
                        "total_price": str(price),
                        "financial_status": status,
                        "currency": "USD",
                    }
                )
            if len(day_orders) > room:
                skip += room
                break
            day = date.fromordinal(day.toordinal() + 1)
            skip = 0
        headers = {}
        if day <= last:
            cursor = _cursor({**state, "day": day.isoformat(), "skip": skip})
            next_url = f"{self.url}{request.path}?limit={limit}&page_info={cursor}"
            headers["Link"] = f'<{next_url}>; rel="next"'
        return self._json({"orders": page}, headers=headers)

    # Google-Ads-like ---------------------------------------------------------------------------

    def _ads(self, request: Request, customer: str, search: bool) -> Response:
        if customer not in self.customers:
            return self._json({"error": {"code": 404, "status": "NOT_FOUND"}}, 404)
        developer, token = self.customers[customer]
        if (
            request.headers.get("developer-token") != developer
            or request.headers.get("Authorization") != f"Bearer {token}"
        ):
            return self._json({"error": {"code": 401, "status": "UNAUTHENTICATED"}}, 401)
        if not search:
            return self._json(
                {
                    "resourceName": f"customers/{customer}",
                    "id": customer,
                    "descriptiveName": "Acme Ads",
                    "currencyCode": "USD",
                }
            )
        if request.method != "POST":
            return self._json({"error": {"code": 405}}, 405)
        body = request.get_json(silent=True) or {}
        dates = re.search(
            r"BETWEEN '(\d{4}-\d\d-\d\d)' AND '(\d{4}-\d\d-\d\d)'", str(body.get("query", ""))
        )
        if not dates:
            return self._json({"error": {"code": 400, "status": "INVALID_ARGUMENT"}}, 400)
        start, end = date.fromisoformat(dates.group(1)), date.fromisoformat(dates.group(2))
        offset = int(_uncursor(body["pageToken"])["offset"]) if body.get("pageToken") else 0
        rows: list[dict[str, Any]] = []
        day = start
        while day <= end:
            for c in CAMPAIGNS:
                n = campaign_day(customer, c, day)
                if n is None:
                    continue
                rows.append(
                    {
                        "campaign": {
                            "resourceName": f"customers/{customer}/campaigns/{c.ref}",
                            "id": c.ref,
                            "name": c.name,
                        },
                        "segments": {"date": day.isoformat()},
                        "metrics": {
                            "costMicros": str(n.spend * 10_000),
                            "impressions": str(n.impressions),
                            "clicks": str(n.clicks),
                            "conversions": float(n.conversions),
                            "conversionsValue": n.revenue / 100,
                        },
                    }
                )
            day = date.fromordinal(day.toordinal() + 1)
        page = rows[offset : offset + self.ads_page_size]
        out: dict[str, Any] = {"results": page, "totalResultsCount": str(len(rows))}
        if offset + self.ads_page_size < len(rows):
            out["nextPageToken"] = _cursor({"offset": offset + self.ads_page_size})
        return self._json(out)
