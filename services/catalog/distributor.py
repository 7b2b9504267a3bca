"""The distributor connector: a ``requests`` client for a distributor's inventory API.

``GET /api/v1/inventory/<sku>`` answers ``{"sku", "onHand", "price", "cost"}`` (prices as
decimal strings), authenticated by an ``X-API-KEY`` header. Every call has a connect and a read
timeout; 5xx answers and dropped connections are retried once after a short pause; what still
fails becomes one :class:`DistributorError` whose message a person can read.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import requests

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (3.05, 10.0)  # (connect, read) seconds


class DistributorError(Exception):
    """The distributor could not answer; ``message`` is fit to show staff."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class DistributorUnavailable(DistributorError):
    """Unreachable, too slow, or failing (5xx) even after a retry."""


class DistributorRejected(DistributorError):
    """The distributor refused the request or does not know the SKU."""


@dataclass(frozen=True)
class StockRecord:
    sku: str
    on_hand: int
    price: Decimal | None
    cost: Decimal | None


class DistributorClient:
    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 1,
        backoff: float = 0.2,
        http: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.http = http or requests.Session()
        self.http.headers.update({"Accept": "application/json"})
        if api_key:
            self.http.headers["X-API-KEY"] = api_key

    def stock(self, sku: str) -> StockRecord:
        """The distributor's current stock (and prices) of ``sku``."""
        body = self._get(f"/api/v1/inventory/{quote(sku, safe='')}")
        return parse_stock(body, sku)

    def _get(self, path: str) -> Any:
        url = self.base_url + path
        last: DistributorError | None = None
        for attempt in range(1 + self.retries):
            if attempt:
                time.sleep(self.backoff * attempt)
            try:
                resp = self.http.get(url, timeout=self.timeout)
            except requests.Timeout:
                last = DistributorUnavailable(
                    f"The distributor did not answer within {self.timeout[1]:g} seconds."
                )
                continue
            except requests.ConnectionError:
                last = DistributorUnavailable("The distributor cannot be reached.")
                continue
            if resp.status_code >= 500:
                last = DistributorUnavailable(
                    f"The distributor failed (HTTP {resp.status_code}).", status=resp.status_code
                )
                continue
            return _body(resp)
        assert last is not None
        log.warning("distributor GET %s: %s", path, last.message)
        raise last


def _body(resp: requests.Response) -> Any:
    if resp.status_code in {401, 403}:
        raise DistributorRejected(
            "The distributor refused our credentials (check DISTRIBUTOR_KEY).",
            status=resp.status_code,
        )
    if resp.status_code == 404:
        raise DistributorRejected("The distributor does not list this SKU.", status=404)
    if resp.status_code >= 400:
        raise DistributorRejected(
            f"The distributor refused the request (HTTP {resp.status_code}).",
            status=resp.status_code,
        )
    try:
        return resp.json()
    except ValueError:
        raise DistributorRejected(
            "The distributor answered with something that is not JSON.", status=resp.status_code
        ) from None


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
