"""A small distributor for tests: per-SKU stock over real HTTP with an ``X-API-KEY`` check.

A test sets ``stock[sku] = {"onHand": 7, ...}``, can make it fail (``fail_next``), slow
(``delay``) or unreachable (``stop``).
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from tests.fakes.server import FakeServer

API_KEY = "fake-distributor-key"
PREFIX = "/api/v1/inventory/"


class FakeDistributor(FakeServer):
    def __init__(self, api_key: str = API_KEY) -> None:
        super().__init__()
        self.api_key = api_key
        self.stock: dict[str, dict[str, Any]] = {}

    def respond(self, request: Request) -> Response:
        if request.headers.get("X-API-KEY") != self.api_key:
            return self.json_response({"error": "unauthorized"}, 401)
        if request.method == "GET" and request.path.startswith(PREFIX):
            sku = request.path[len(PREFIX) :]
            record = self.stock.get(sku)
            return (
                self.json_response({"sku": sku, **record})
                if record
                else self.json_response({}, 404)
            )
        return self.json_response({"error": "not found"}, 404)
