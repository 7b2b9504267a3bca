"""The distributor connector: a client for a distributor's inventory API.

``GET /api/v1/inventory/<sku>`` answers ``{"sku", "onHand", "price", "cost"}`` (prices as
decimal strings), authenticated by an ``X-API-KEY`` header. The transport (session, connect and
read timeouts, a retry of failing reads after a short pause, one error per failure) is the
shared :class:`portal.connectors.HttpConnector`; what fails becomes a :class:`DistributorError`
whose message a person can read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import requests

from portal.connectors import HttpConnector, UpstreamRejected, UpstreamUnavailable

log = logging.getLogger(__name__)


class DistributorError(Exception):
    """The distributor could not answer; ``message`` is fit to show staff (every instance is
    also a :class:`portal.connectors.UpstreamError`)."""

    message: str
    status: int | None


class DistributorUnavailable(UpstreamUnavailable, DistributorError):
    """Unreachable, too slow, or failing (5xx) even after a retry."""


class DistributorRejected(UpstreamRejected, DistributorError):
    """The distributor refused the request or does not know the SKU."""


@dataclass(frozen=True)
class StockRecord:
    sku: str
    on_hand: int
    price: Decimal | None
    cost: Decimal | None


class DistributorClient(HttpConnector):
    label = "The distributor"
    unavailable_error = DistributorUnavailable
    rejected_error = DistributorRejected

    default_retries = 1
    default_backoff = 0.2

    def stock(self, sku: str) -> StockRecord:
        """The distributor's current stock (and prices) of ``sku``."""
        body = self.get_json(f"/api/v1/inventory/{quote(sku, safe='')}")
        return parse_stock(body, sku)

    def rejection(self, resp: requests.Response) -> UpstreamRejected:
        if resp.status_code in {401, 403}:
            return DistributorRejected(
                "The distributor refused our credentials (check DISTRIBUTOR_KEY).",
                status=resp.status_code,
            )
        if resp.status_code == 404:
            return DistributorRejected("The distributor does not list this SKU.", status=404)
        return super().rejection(resp)


def _decimal(raw: Any) -> Decimal | None:
    if raw is None or isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def parse_stock(body: Any, sku: str) -> StockRecord:
    """The distributor's record → a :class:`StockRecord`; a malformed one is refused."""
    if not isinstance(body, dict):
        raise DistributorRejected("The distributor's answer has no stock record.")
    on_hand = body.get("onHand")
    if isinstance(on_hand, bool) or not isinstance(on_hand, int) or on_hand < 0:
        raise DistributorRejected("The distributor's answer has no valid on-hand count.")
    return StockRecord(
        sku=str(body.get("sku") or sku),
        on_hand=on_hand,
        price=_decimal(body.get("price")),
        cost=_decimal(body.get("cost")),
    )
